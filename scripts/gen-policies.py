#!/usr/bin/env python3
"""Turn the s2n policy snapshots into src/policy/policies.inc (constexpr C++ tables).

Usage: scripts/gen-policies.py [SNAPSHOT_DIR] [OUTPUT]
  defaults: tests/data/policy-snapshots  src/policy/policies.inc  (relative to the repo root)

The build does not run this; rerun it when the snapshots change and check the output in.
tests/unit/policy_test.cpp renders every policy back into the snapshot format and compares.

Every snapshot is parsed strictly (an unknown line is an error) and re-rendered here too, so a
format change in the snapshots fails loudly instead of being half understood.
"""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Names that move to newer policies over time (SPEC 4). Each alias's snapshot must be
# byte-identical to its target's; the alias resolves to the target's PolicyData.
ALIASES = {
    "default": "20251014",
    "default_fips": "20251015",
    "default_pq": "20250721",
    "default_tls13": "20240503",
    "rfc9151": "20251013",
}

VERSIONS = {
    "SSLv3": "SSLV3",
    "TLS1.0": "TLS10",
    "TLS1.1": "TLS11",
    "TLS1.2": "TLS12",
    "TLS1.3": "TLS13",
}

SUITES = {
    "TLS_RSA_WITH_RC4_128_MD5": 0x0004,
    "TLS_RSA_WITH_RC4_128_SHA": 0x0005,
    "TLS_RSA_WITH_3DES_EDE_CBC_SHA": 0x000A,
    "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA": 0x0016,
    "TLS_RSA_WITH_AES_128_CBC_SHA": 0x002F,
    "TLS_DHE_RSA_WITH_AES_128_CBC_SHA": 0x0033,
    "TLS_RSA_WITH_AES_256_CBC_SHA": 0x0035,
    "TLS_DHE_RSA_WITH_AES_256_CBC_SHA": 0x0039,
    "TLS_RSA_WITH_AES_128_CBC_SHA256": 0x003C,
    "TLS_RSA_WITH_AES_256_CBC_SHA256": 0x003D,
    "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256": 0x0067,
    "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256": 0x006B,
    "TLS_RSA_WITH_AES_128_GCM_SHA256": 0x009C,
    "TLS_RSA_WITH_AES_256_GCM_SHA384": 0x009D,
    "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256": 0x009E,
    "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384": 0x009F,
    "TLS_AES_128_GCM_SHA256": 0x1301,
    "TLS_AES_256_GCM_SHA384": 0x1302,
    "TLS_CHACHA20_POLY1305_SHA256": 0x1303,
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA": 0xC009,
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA": 0xC00A,
    "TLS_ECDHE_RSA_WITH_RC4_128_SHA": 0xC011,
    "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA": 0xC012,
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA": 0xC013,
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA": 0xC014,
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256": 0xC023,
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384": 0xC024,
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256": 0xC027,
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384": 0xC028,
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256": 0xC02B,
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384": 0xC02C,
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256": 0xC02F,
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384": 0xC030,
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256": 0xCCA8,
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256": 0xCCA9,
    "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256": 0xCCAA,
}
TLS13_SUITES = {0x1301, 0x1302, 0x1303}

SCHEMES = {
    "rsa_pkcs1_sha1": 0x0201,
    "ecdsa_sha1": 0x0203,
    "legacy_rsa_sha224": 0x0301,
    "legacy_ecdsa_sha224": 0x0303,
    "rsa_pkcs1_sha256": 0x0401,
    "ecdsa_sha256": 0x0403,
    "rsa_pkcs1_sha384": 0x0501,
    "ecdsa_sha384": 0x0503,
    "rsa_pkcs1_sha512": 0x0601,
    "ecdsa_sha512": 0x0603,
    "rsa_pss_rsae_sha256": 0x0804,
    "rsa_pss_rsae_sha384": 0x0805,
    "rsa_pss_rsae_sha512": 0x0806,
    "rsa_pss_pss_sha256": 0x0809,
    "rsa_pss_pss_sha384": 0x080A,
    "rsa_pss_pss_sha512": 0x080B,
    "mldsa44": 0x0904,
    "mldsa65": 0x0905,
    "mldsa87": 0x0906,
    "legacy_rsa_md5_sha1": 0xFFFF,  # policy::kSchemeLegacyRsaMd5Sha1: no code point
}
ED25519 = 0x0807

GROUPS = {
    "secp256r1": 0x0017,
    "secp384r1": 0x0018,
    "secp521r1": 0x0019,
    "x25519": 0x001D,
}
KEM_GROUPS = {
    "MLKEM1024": 0x0202,
    "SecP256r1MLKEM768": 0x11EB,
    "X25519MLKEM768": 0x11EC,
    "SecP384r1MLKEM1024": 0x11ED,
}

CERT_KEYS = {
    "rsa_1024": "RSA_1024",
    "rsa_2048": "RSA_2048",
    "rsa_3072": "RSA_3072",
    "rsa_4096": "RSA_4096",
    "rsa_pss_2048": "RSA_PSS_2048",
    "rsa_pss_3072": "RSA_PSS_3072",
    "rsa_pss_4096": "RSA_PSS_4096",
    "ecdsa_p256": "ECDSA_P256",
    "ecdsa_p384": "ECDSA_P384",
    "ecdsa_p521": "ECDSA_P521",
    "mldsa_44": "MLDSA_44",
    "mldsa_65": "MLDSA_65",
    "mldsa_87": "MLDSA_87",
}

YES_NO = {"yes": True, "no": False}


class SnapshotError(Exception):
    pass


class Lines:
    def __init__(self, name, text):
        self.name = name
        if not text.endswith("\n"):
            raise SnapshotError(f"{name}: no final newline")
        self.lines = text[:-1].split("\n")
        self.pos = 0

    def peek(self):
        return self.lines[self.pos] if self.pos < len(self.lines) else None

    def take(self, expected=None):
        line = self.peek()
        if line is None or (expected is not None and line != expected):
            raise SnapshotError(f"{self.name}:{self.pos + 1}: expected {expected!r}, got {line!r}")
        self.pos += 1
        return line

    def value(self, prefix):
        line = self.take()
        if not line.startswith(prefix):
            raise SnapshotError(f"{self.name}:{self.pos}: expected {prefix!r}..., got {line!r}")
        return line[len(prefix):]

    def items(self, prefix, table, nonempty=False):
        out = []
        while self.peek() is not None and self.peek().startswith(prefix):
            item = self.take()[len(prefix):]
            if item not in table:
                raise SnapshotError(f"{self.name}:{self.pos}: unknown item {item!r}")
            out.append(item)
        if nonempty and not out:
            raise SnapshotError(f"{self.name}:{self.pos + 1}: empty list")
        return out


def parse(name, text):
    """The snapshot grammar, in order; optional sections are absent when empty/false."""
    ln = Lines(name, text)
    p = {"name": name}
    version = ln.value("min version: ")
    if version not in VERSIONS:
        raise SnapshotError(f"{name}: unknown version {version!r}")
    p["min_version"] = version
    ln.take("rules:")
    p["pfs"] = YES_NO[ln.value("- Perfect Forward Secrecy: ")]
    p["fips"] = YES_NO[ln.value("- FIPS 140-3 (2019): ")]
    ln.take("cipher suites:")
    p["boost"] = ln.peek() == "- chacha20 boosting enabled"
    if p["boost"]:
        ln.take()
    p["suites"] = ln.items("- ", SUITES)
    ln.take("signature schemes:")
    p["schemes"] = ln.items("- ", SCHEMES)
    ln.take("curves:")
    p["curves"] = ln.items("- ", GROUPS)
    p["strong"] = []
    if ln.peek() == "strongly preferred groups:":
        ln.take()
        p["strong"] = ln.items("- ", {**GROUPS, **KEM_GROUPS}, nonempty=True)
    p["local"] = ln.peek() == "certificate preferences apply locally"
    if p["local"]:
        ln.take()
    p["cert_schemes"] = []
    if ln.peek() == "certificate signature schemes:":
        ln.take()
        p["cert_schemes"] = ln.items("- ", SCHEMES, nonempty=True)
    p["cert_keys"] = []
    if ln.peek() == "certificate keys:":
        ln.take()
        p["cert_keys"] = ln.items("- ", CERT_KEYS, nonempty=True)
    p["pq_revision"] = 0
    p["kem_groups"] = []
    if ln.peek() == "pq:":
        ln.take()
        p["pq_revision"] = int(ln.value("- revision: "))
        if not 0 < p["pq_revision"] < 256:
            raise SnapshotError(f"{name}: pq revision out of range")
        ln.take("- kem groups:")
        p["kem_groups"] = ln.items("-- ", KEM_GROUPS)
    if ln.peek() is not None:
        raise SnapshotError(f"{name}:{ln.pos + 1}: unexpected {ln.peek()!r}")
    return p


def render(p):
    """The inverse of parse(): must give back the snapshot byte for byte."""
    out = [f"min version: {p['min_version']}", "rules:"]
    out.append("- Perfect Forward Secrecy: " + ("yes" if p["pfs"] else "no"))
    out.append("- FIPS 140-3 (2019): " + ("yes" if p["fips"] else "no"))
    out.append("cipher suites:")
    if p["boost"]:
        out.append("- chacha20 boosting enabled")
    out += ["- " + s for s in p["suites"]]
    out.append("signature schemes:")
    out += ["- " + s for s in p["schemes"]]
    out.append("curves:")
    out += ["- " + s for s in p["curves"]]
    if p["strong"]:
        out.append("strongly preferred groups:")
        out += ["- " + s for s in p["strong"]]
    if p["local"]:
        out.append("certificate preferences apply locally")
    if p["cert_schemes"]:
        out.append("certificate signature schemes:")
        out += ["- " + s for s in p["cert_schemes"]]
    if p["cert_keys"]:
        out.append("certificate keys:")
        out += ["- " + s for s in p["cert_keys"]]
    if p["pq_revision"]:
        out += ["pq:", f"- revision: {p['pq_revision']}", "- kem groups:"]
        out += ["-- " + s for s in p["kem_groups"]]
    return "\n".join(out) + "\n"


def adds_ed25519(p):
    """snr's one change to s2n's contents; the rule is documented in src/policy/policies.cpp."""
    return (
        any(SUITES[s] in TLS13_SUITES for s in p["suites"])
        and not p["fips"]
        and "fips" not in p["name"].lower()
        and not p["local"]
        and not p["strong"]
        and "ecdsa_sha256" in p["schemes"]
    )


class ListPool:
    """Deduplicated constexpr arrays: identical lists share one array."""

    def __init__(self, prefix, ctype, fmt):
        self.prefix, self.ctype, self.fmt = prefix, ctype, fmt
        self.arrays = {}  # tuple -> (identifier, [policy names])

    def ref(self, values, user):
        if not values:
            return "{}"
        key = tuple(values)
        if key not in self.arrays:
            self.arrays[key] = (f"{self.prefix}{len(self.arrays)}", [])
        self.arrays[key][1].append(user)
        return self.arrays[key][0]

    def emit(self):
        out = []
        for values, (ident, users) in self.arrays.items():
            shown = ", ".join(users[:4]) + (f" (+{len(users) - 4} more)" if len(users) > 4 else "")
            out.append(f"// {shown}")
            body = ", ".join(self.fmt(v) for v in values)
            out.append(f"constexpr {self.ctype} {ident}[] = {{{body}}};")
        return out


def hex16(v):
    return f"0x{v:04X}"


def generate(snapshot_dir):
    files = sorted(os.listdir(snapshot_dir))
    texts = {}
    for f in files:
        with open(os.path.join(snapshot_dir, f), encoding="ascii") as fh:
            texts[f] = fh.read()
    for alias, target in ALIASES.items():
        if alias not in texts or target not in texts:
            raise SnapshotError(f"alias {alias} -> {target}: snapshot missing")
        if texts[alias] != texts[target]:
            raise SnapshotError(f"alias {alias} differs from its target {target}")

    policies = []
    for f in files:
        if f in ALIASES:
            continue
        p = parse(f, texts[f])
        if render(p) != texts[f]:
            raise SnapshotError(f"{f}: does not round-trip")
        policies.append(p)
    policies.sort(key=lambda p: p["name"].encode())

    suites = ListPool("kSuites", "uint16_t", hex16)
    schemes = ListPool("kSchemes", "uint16_t", hex16)
    groups = ListPool("kGroups", "uint16_t", hex16)
    cert_keys = ListPool("kCertKeys", "policy::CertKey", lambda v: f"CK::{v}")

    rows = []
    for p in policies:
        n = p["name"]
        sig = [SCHEMES[s] for s in p["schemes"]]
        cert_sig = [SCHEMES[s] for s in p["cert_schemes"]]
        if adds_ed25519(p):
            sig.append(ED25519)
            if cert_sig:  # an empty list allows any scheme already
                cert_sig.append(ED25519)
        fields = [
            f'.name = "{n}"',
            f".min_version = Version::{VERSIONS[p['min_version']]}",
            f".cipher_suites = {suites.ref([SUITES[s] for s in p['suites']], n)}",
            f".sig_schemes = {schemes.ref(sig, n)}",
            f".curves = {groups.ref([GROUPS[g] for g in p['curves']], n)}",
            f".cert_sig_schemes = {schemes.ref(cert_sig, n)}",
            f".rules = {{.pfs = {str(p['pfs']).lower()}, .fips = {str(p['fips']).lower()}}}",
            f".chacha20_boosting = {str(p['boost']).lower()}",
            ".strongly_preferred_groups = "
            + groups.ref([{**GROUPS, **KEM_GROUPS}[g] for g in p["strong"]], n),
            f".cert_prefs_apply_locally = {str(p['local']).lower()}",
            f".cert_keys = {cert_keys.ref([CERT_KEYS[k] for k in p['cert_keys']], n)}",
            f".pq_revision = {p['pq_revision']}",
            f".kem_groups = {groups.ref([KEM_GROUPS[g] for g in p['kem_groups']], n)}",
        ]
        rows.append("    {" + ", ".join(fields) + "},")

    out = [
        "// Generated by scripts/gen-policies.py from tests/data/policy-snapshots. Do not edit.",
        "// clang-format off",
        "",
        "using CK = policy::CertKey;",
        "",
    ]
    for pool in (suites, schemes, groups, cert_keys):
        out += pool.emit()
        out.append("")
    out.append("// Sorted by name (byte order): find_policy() searches it by bisection.")
    out.append("constexpr PolicyData kPolicies[] = {")
    out += rows
    out.append("};")
    out.append("")
    out.append("// Sorted by name.")
    out.append("constexpr PolicyAlias kAliases[] = {")
    for alias in sorted(ALIASES, key=str.encode):
        out.append(f'    {{"{alias}", "{ALIASES[alias]}"}},')
    out.append("};")
    out.append("")
    out.append("// clang-format on")
    return "\n".join(out) + "\n", len(policies)


def main():
    snapshot_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        ROOT, "tests", "data", "policy-snapshots")
    output = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "src", "policy",
                                                                "policies.inc")
    try:
        text, count = generate(snapshot_dir)
    except SnapshotError as e:
        sys.exit(f"gen-policies: {e}")
    with open(output, "w", encoding="ascii") as fh:
        fh.write(text)
    print(f"gen-policies: {count} policies + {len(ALIASES)} aliases -> {output}")


if __name__ == "__main__":
    main()
