// RFC 8448 section 4 ("Resumed 0-RTT Handshake"): the trace's values as hex strings, in the
// order the trace gives them. Generated from the RFC text once (the "(N octets)" dumps of
// section 4, page headers dropped, each checked against its stated length); the comment above
// each names it. The handshake resumes section 3's session with its NewSessionTicket.
#pragma once

#include <string_view>

namespace snr::kat::rfc8448_resume {

// {client} x25519 private key (32 octets)
inline constexpr std::string_view kClientPrivateKey =
    "bff91188283846dd6a2134ef7180ca2b0b14fb10dce707b5098c0dddc813b2df";
// {client} x25519 public key (32 octets)
inline constexpr std::string_view kClientPublicKey =
    "e4ffb68ac05f8d96c99da26698346c6be16482badddafe051a66b4f18d668f0b";
// PSK: the IKM of the early secret (section 3's ticket PSK) (32 octets)
inline constexpr std::string_view kPsk =
    "4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3";
// early secret (32 octets)
inline constexpr std::string_view kEarlySecret =
    "9b2188e9b2fc6d64d71dc329900e20bb41915000f678aa839cbb797cb7d8332c";
// ClientHello without its binders (the RFC's "ClientHello prefix") (477 octets)
inline constexpr std::string_view kTruncatedClientHello =
    "010001fc03031bc3ceb6bbe39cff938355b5a50adb6db21b7a6af649d7b4bc41"
    "9d7876487d95000006130113031302010001cd0000000b000900000673657276"
    "6572ff01000100000a00140012001d0017001800190100010101020103010400"
    "3300260024001d0020e4ffb68ac05f8d96c99da26698346c6be16482badddafe"
    "051a66b4f18d668f0b002a0000002b0003020304000d0020001e040305030603"
    "020308040805080604010501060102010402050206020202002d00020101001c"
    "0002400100150057000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "2900dd00b800b22c035d829359ee5ff7af4ec900000000262a6494dc486d2c8a"
    "34cb33fa90bf1b0070ad3c498883c9367c09a2be785abc55cd226097a3a98211"
    "7283f82a03a143efd3ff5dd36d64e861be7fd61d2827db279cce145077d454a3"
    "664d4e6da4d29ee03725a6a4dafcd0fc67d2aea70529513e3da2677fa5906c5b"
    "3f7d8f92f228bda40dda721470f9fbf297b5aea617646fac5c03272e970727c6"
    "21a79141ef5f7de6505e5bfbc388e93343694093934ae4d357fad6aacb";
// Transcript-Hash(truncated ClientHello) (32 octets)
inline constexpr std::string_view kBinderHash =
    "63224b2e4573f2d3454ca84b9d009a04f6be9e05711a8396473aefa01e924a14";
// binder_key: Derive-Secret(early, "res binder", "") (32 octets)
inline constexpr std::string_view kBinderKey =
    "69fe131a3bbad5d63c64eebcc30e395b9d8107726a13d074e389dbc8a4e47256";
// finished_key of the binder key (32 octets)
inline constexpr std::string_view kBinderFinishedKey =
    "5588673e72cb59c87d220caffe94f2dea9a3b1609f7d50e90a48227db9ed7eaa";
// PSK binder (32 octets)
inline constexpr std::string_view kBinder =
    "3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d";
// ClientHello handshake message, binders included (512 octets)
inline constexpr std::string_view kClientHello =
    "010001fc03031bc3ceb6bbe39cff938355b5a50adb6db21b7a6af649d7b4bc41"
    "9d7876487d95000006130113031302010001cd0000000b000900000673657276"
    "6572ff01000100000a00140012001d0017001800190100010101020103010400"
    "3300260024001d0020e4ffb68ac05f8d96c99da26698346c6be16482badddafe"
    "051a66b4f18d668f0b002a0000002b0003020304000d0020001e040305030603"
    "020308040805080604010501060102010402050206020202002d00020101001c"
    "0002400100150057000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "2900dd00b800b22c035d829359ee5ff7af4ec900000000262a6494dc486d2c8a"
    "34cb33fa90bf1b0070ad3c498883c9367c09a2be785abc55cd226097a3a98211"
    "7283f82a03a143efd3ff5dd36d64e861be7fd61d2827db279cce145077d454a3"
    "664d4e6da4d29ee03725a6a4dafcd0fc67d2aea70529513e3da2677fa5906c5b"
    "3f7d8f92f228bda40dda721470f9fbf297b5aea617646fac5c03272e970727c6"
    "21a79141ef5f7de6505e5bfbc388e93343694093934ae4d357fad6aacb002120"
    "3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d";
// {client} ClientHello record (517 octets)
inline constexpr std::string_view kClientHelloRecord =
    "1603010200010001fc03031bc3ceb6bbe39cff938355b5a50adb6db21b7a6af6"
    "49d7b4bc419d7876487d95000006130113031302010001cd0000000b00090000"
    "06736572766572ff01000100000a00140012001d001700180019010001010102"
    "01030104003300260024001d0020e4ffb68ac05f8d96c99da26698346c6be164"
    "82badddafe051a66b4f18d668f0b002a0000002b0003020304000d0020001e04"
    "0305030603020308040805080604010501060102010402050206020202002d00"
    "020101001c000240010015005700000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "00000000002900dd00b800b22c035d829359ee5ff7af4ec900000000262a6494"
    "dc486d2c8a34cb33fa90bf1b0070ad3c498883c9367c09a2be785abc55cd2260"
    "97a3a982117283f82a03a143efd3ff5dd36d64e861be7fd61d2827db279cce14"
    "5077d454a3664d4e6da4d29ee03725a6a4dafcd0fc67d2aea70529513e3da267"
    "7fa5906c5b3f7d8f92f228bda40dda721470f9fbf297b5aea617646fac5c0327"
    "2e970727c621a79141ef5f7de6505e5bfbc388e93343694093934ae4d357fad6"
    "aacb0021203add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6f"
    "a31b9e5f9d";
// Transcript-Hash(ClientHello) (32 octets)
inline constexpr std::string_view kClientHelloHash =
    "08ad0fa05d7c7233b1775ba2ff9f4c5b8b59276b7f227f13a976245f5d960913";
// HkdfLabel of "c e traffic" (53 octets)
inline constexpr std::string_view kEarlyTrafficInfo =
    "002011746c7331332063206520747261666669632008ad0fa05d7c7233b1775b"
    "a2ff9f4c5b8b59276b7f227f13a976245f5d960913";
// client_early_traffic_secret (32 octets)
inline constexpr std::string_view kClientEarlyTraffic =
    "3fbbe6a60deb66c30a32795aba0eff7eaa10105586e7be5c09678d63b6caab62";
// HkdfLabel of "e exp master" (54 octets)
inline constexpr std::string_view kEarlyExporterInfo =
    "002012746c733133206520657870206d61737465722008ad0fa05d7c7233b177"
    "5ba2ff9f4c5b8b59276b7f227f13a976245f5d960913";
// early_exporter_master_secret (32 octets)
inline constexpr std::string_view kEarlyExporterMaster =
    "b2026866610937d7423e5be90862ccf24c0e6091186d34f812089ff5be2ef7df";
// client early write key (16 octets)
inline constexpr std::string_view kClientEarlyKey = "920205a5b7bf2115e6fc5c2942834f54";
// client early write IV (12 octets)
inline constexpr std::string_view kClientEarlyIv = "6d475f0993c8e564610db2b9";
// early application data (6 octets)
inline constexpr std::string_view kEarlyData = "414243444546";
// {client} early application data record (28 octets)
inline constexpr std::string_view kEarlyDataRecord =
    "1703030017ab1df420e75c457a7cc5d2844f76d5aee4b4edbf049be0";
// {server} x25519 private key (32 octets)
inline constexpr std::string_view kServerPrivateKey =
    "de5b4476e7b490b2652d338acbf2948066f255f9440e23b98fc69835298dc107";
// {server} x25519 public key (32 octets)
inline constexpr std::string_view kServerPublicKey =
    "121761ee42c333e1b9e77b60dd57c2053cd94512ab47f115e86eff50942cea31";
// ServerHello handshake message (96 octets)
inline constexpr std::string_view kServerHello =
    "0200005c03033ccfd2dec890222763472ae8136777c9d7358777bb66e91ea512"
    "2495f559ea2d00130100003400290002000000330024001d0020121761ee42c3"
    "33e1b9e77b60dd57c2053cd94512ab47f115e86eff50942cea31002b00020304";
// Derive-Secret(early, "derived", "") (32 octets)
inline constexpr std::string_view kDerivedForHandshake =
    "5f1790bbd82c5e7d376ed2e1e52f8e6038c9346db61b43be9a52f77ef3998e80";
// (EC)DHE shared secret (IKM of the handshake secret) (32 octets)
inline constexpr std::string_view kSharedSecret =
    "f44194756ff9ec9d25180635d66ea6824c6ab3bf179977be37f723570e7ccb2e";
// handshake secret (32 octets)
inline constexpr std::string_view kHandshakeSecret =
    "005cb112fd8eb4ccc623bb88a07c64b3ede1605363fc7d0df8c7ce4ff0fb4ae6";
// Transcript-Hash(ClientHello..ServerHello) (32 octets)
inline constexpr std::string_view kHelloHash =
    "f736cb34fe25e701551bee6fd24c1cc7102a7daf9405cb15d97aafe16f757d03";
// client_handshake_traffic_secret (32 octets)
inline constexpr std::string_view kClientHsTraffic =
    "2faac08f851d35fea3604fcb4de82dc62c9b164a70974d0462e27f1ab278700f";
// server_handshake_traffic_secret (32 octets)
inline constexpr std::string_view kServerHsTraffic =
    "fe927ae271312e8bf0275b581c54eef020450dc4ecffaa05a1a35d27518e7803";
// Derive-Secret(handshake, "derived", "") (32 octets)
inline constexpr std::string_view kDerivedForMaster =
    "e2f16030251df0874ba19b9aba257610bc6d531c1dd206df0ca6e84ae2a26742";
// master secret (32 octets)
inline constexpr std::string_view kMasterSecret =
    "e2d32d4ed66dd37897a0e80c84107503ce58bf8aad4cb55a5002d77ecb890ece";
// {server} ServerHello record (101 octets)
inline constexpr std::string_view kServerHelloRecord =
    "16030300600200005c03033ccfd2dec890222763472ae8136777c9d7358777bb"
    "66e91ea5122495f559ea2d00130100003400290002000000330024001d002012"
    "1761ee42c333e1b9e77b60dd57c2053cd94512ab47f115e86eff50942cea3100"
    "2b00020304";
// server handshake write key (16 octets)
inline constexpr std::string_view kServerHsKey = "27c6bdc0a3dcea39a47326d79bc9e4ee";
// server handshake write IV (12 octets)
inline constexpr std::string_view kServerHsIv = "9569ecdd4d0536705e9ef725";
// EncryptedExtensions handshake message (44 octets)
inline constexpr std::string_view kEncryptedExtensions =
    "080000280026000a00140012001d00170018001901000101010201030104001c"
    "0002400100000000002a0000";
// server finished_key (32 octets)
inline constexpr std::string_view kServerFinishedKey =
    "4bb74cae7a5dc8914604c0bfbe2f0c062396883922bec8a15e2a9b532a5d392c";
// server Finished verify_data (32 octets)
inline constexpr std::string_view kServerVerifyData =
    "48d3e0e1b3d907c6acff145e16090388c77b05c050b634ab1a88bbd0dd1a34b2";
// server Finished handshake message (36 octets)
inline constexpr std::string_view kServerFinished =
    "1400002048d3e0e1b3d907c6acff145e16090388c77b05c050b634ab1a88bbd0"
    "dd1a34b2";
// {server} encrypted flight plaintext (EncryptedExtensions, Finished) (80 octets)
inline constexpr std::string_view kServerFlight =
    "080000280026000a00140012001d00170018001901000101010201030104001c"
    "0002400100000000002a00001400002048d3e0e1b3d907c6acff145e16090388"
    "c77b05c050b634ab1a88bbd0dd1a34b2";
// {server} encrypted flight record (102 octets)
inline constexpr std::string_view kServerFlightRecord =
    "1703030061dc48237b4b879f50d0d4d262ea8b4716eb40ddc1eb957e11126e8a"
    "7149c2d012d37a7115957e64ce30008b9e0323f2c05a9c1c77b4f37849a695ab"
    "255060a33fee770ca95cb8486bfd0843b87024865ca35cc41c4e515c64dcb136"
    "9f98635bc7a5";
// Transcript-Hash(ClientHello..server Finished) (32 octets)
inline constexpr std::string_view kServerFinishedHash =
    "b0aeffc46a2cfe33114e6fd7d51f9f04b1ca3c497dab08934a774a9d9ad7dbf3";
// client_application_traffic_secret_0 (32 octets)
inline constexpr std::string_view kClientApTraffic =
    "2abbf2b8e381d23dbebe1dd2a7d16a8bf484cb4950d23fb7fb7fa8547062d9a1";
// server_application_traffic_secret_0 (32 octets)
inline constexpr std::string_view kServerApTraffic =
    "cc21f1bf8feb7dd5fa505bd9c4b468a9984d554a993dc49e6d285598fb672691";
// exporter_master_secret (32 octets)
inline constexpr std::string_view kExporterMaster =
    "3fd93d4ffddc98e64b14dd107aedf8ee4add23f4510f58a4592d0b201bee56b4";
// server application write key (16 octets)
inline constexpr std::string_view kServerApKey = "e857c690a34c5a9129d833619684f95e";
// server application write IV (12 octets)
inline constexpr std::string_view kServerApIv = "0685d6b561aab9ef1013faf9";
// EndOfEarlyData handshake message (4 octets)
inline constexpr std::string_view kEndOfEarlyData = "05000000";
// {client} EndOfEarlyData record (under the early key) (26 octets)
inline constexpr std::string_view kEndOfEarlyDataRecord =
    "1703030015aca6fc944841298df99593725f9bf9754429b12f09";
// client handshake write key (16 octets)
inline constexpr std::string_view kClientHsKey = "b1530806f4adfeac83f1413032bbfa82";
// client handshake write IV (12 octets)
inline constexpr std::string_view kClientHsIv = "eb50c16be7654abf99dd06d9";
// client finished_key (32 octets)
inline constexpr std::string_view kClientFinishedKey =
    "5ace394c26980d581243f627d1150ae27e37fa52364e0a7f20ac686d09cd0e8e";
// client Finished verify_data (32 octets)
inline constexpr std::string_view kClientVerifyData =
    "7230a9c952c25cd6138fc5e6628308c41c5335dd81b9f96bcea50fd32bda416d";
// client Finished handshake message (36 octets)
inline constexpr std::string_view kClientFinished =
    "140000207230a9c952c25cd6138fc5e6628308c41c5335dd81b9f96bcea50fd3"
    "2bda416d";
// {client} Finished record (58 octets)
inline constexpr std::string_view kClientFinishedRecord =
    "170303003500f8b467d14cf22a4b3f0b6ae0d8e6cc8d08e0db3515ef5c2bdf19"
    "22eafbb70009964716d834fb70c3d2a56c5b1f5f6bdba6c333cf";
// client application write key (16 octets)
inline constexpr std::string_view kClientApKey = "3cf122f301c6358ca7989553250efd72";
// client application write IV (12 octets)
inline constexpr std::string_view kClientApIv = "ab1aec26aa78b8fc1176b9ac";
// Transcript-Hash(ClientHello..client Finished), with EndOfEarlyData (32 octets)
inline constexpr std::string_view kClientFinishedHash =
    "c3c122e0bd907a4a3ff6112d8fd53dbf89c773d9552e8b6b9d56d361b3a97bf6";
// resumption_master_secret (32 octets)
inline constexpr std::string_view kResumptionMaster =
    "5e95bdf1f89005ea2e9aa0ba85e728e3c19c5fe0c699e3f5bee59faebd0b5406";
// {client} application data record (72 octets)
inline constexpr std::string_view kClientAppDataRecord =
    "1703030043b1cebce242aa201be9ae5e1cb2a9aa4b33d4e866af1edb06891923"
    "7741aa031d7a74d491c99b9d4e232b74206bc6fbaa04fe78be44a9b4f54320a1"
    "7eb76992afac3103";
// {server} application data record (72 octets)
inline constexpr std::string_view kServerAppDataRecord =
    "1703030043275e9f20acff57bc000657d3867df039cccf79047884cf75771746"
    "f740b5a83f462a0954c3581393a203a25a7dd14141ef1a37900cdb62ff62dee1"
    "ba39ab2590cbf194";
// {client} close_notify record (24 octets)
inline constexpr std::string_view kClientAlertRecord =
    "17030300130facce3246bdfc6369838d6a82ae6de5d422dc";
// {server} close_notify record (24 octets)
inline constexpr std::string_view kServerAlertRecord =
    "17030300135b18af444e8e1eec7158fb62d8f2577d37ba5d";

}  // namespace snr::kat::rfc8448_resume
