// A JSSE TLS client for snr's interop tests (tests/interop/jsse.sh): it connects to
// 127.0.0.1, checks the server's certificate against one CA file and the expected host name,
// sends one line, prints the line that comes back, and closes with close_notify.
//
//   java JsseEchoClient --port PORT --ca CA.pem --server-name NAME --protocol TLSv1.2
//        --suite TLS_ECDHE_... --send TEXT
//
// On success it prints "protocol: ...", "cipher_suite: ...", "reply: ..." and exits 0; any
// failure prints "error: ..." and exits 1.

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

public final class JsseEchoClient {
  private static final int TIMEOUT_MS = 10_000;

  public static void main(String[] argv) {
    try {
      Map<String, String> opt = parse(argv);
      run(opt);
    } catch (Exception e) {
      System.out.println("error: " + e);
      System.out.flush();
      System.exit(1);
    }
  }

  private static Map<String, String> parse(String[] argv) {
    Map<String, String> opt = new HashMap<>();
    for (int i = 0; i + 1 < argv.length; i += 2) {
      if (!argv[i].startsWith("--")) throw new IllegalArgumentException("bad option " + argv[i]);
      opt.put(argv[i].substring(2), argv[i + 1]);
    }
    for (String k : List.of("port", "ca", "server-name", "protocol", "suite", "send")) {
      if (!opt.containsKey(k)) throw new IllegalArgumentException("missing --" + k);
    }
    return opt;
  }

  // A trust store holding only the given CA, so the system CAs play no part.
  private static SSLContext context(String caFile) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = new FileInputStream(caFile)) {
      int n = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trust.setCertificateEntry("ca" + n++, c);
      }
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  private static void run(Map<String, String> opt) throws Exception {
    int port = Integer.parseInt(opt.get("port"));
    String name = opt.get("server-name");
    SSLContext ctx = context(opt.get("ca"));
    Socket tcp = new Socket();
    tcp.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MS);
    tcp.setSoTimeout(TIMEOUT_MS);
    // Layering over a connected socket lets the TLS host name (SNI and the certificate check)
    // differ from the address.
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(tcp, name, port, true)) {
      SSLParameters p = s.getSSLParameters();
      p.setProtocols(new String[] {opt.get("protocol")});
      p.setCipherSuites(new String[] {opt.get("suite")});
      p.setServerNames(List.of(new SNIHostName(name)));
      p.setEndpointIdentificationAlgorithm("HTTPS");
      s.setSSLParameters(p);
      s.startHandshake();
      SSLSession session = s.getSession();
      System.out.println("protocol: " + session.getProtocol());
      System.out.println("cipher_suite: " + session.getCipherSuite());
      System.out.flush();

      OutputStream out = s.getOutputStream();
      out.write((opt.get("send") + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      String reply = in.readLine();
      if (reply == null) throw new IllegalStateException("connection closed before a reply");
      System.out.println("reply: " + reply);
      System.out.flush();
    }
  }
}
