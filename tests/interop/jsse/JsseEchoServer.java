// A JSSE TLS server for snr's interop tests (tests/interop/jsse.sh). It listens on
// 127.0.0.1 (port 0: the kernel picks one, printed as "listening on 127.0.0.1:PORT"), serves
// --count connections one after another, and answers each client's first line with that line
// reversed (so a correct answer proves data went both ways), then waits for the client's
// close_notify and closes.
//
//   java JsseEchoServer --keystore KS.p12 --password PW --protocol TLSv1.2
//        --suite TLS_ECDHE_... --count 1
//
// Per connection it prints "protocol: ...", "cipher_suite: ..." and "closed cleanly"; it
// exits 0 when every connection went well, 1 otherwise.

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

public final class JsseEchoServer {
  private static final int TIMEOUT_MS = 10_000;

  public static void main(String[] argv) {
    try {
      Map<String, String> opt = parse(argv);
      System.exit(run(opt) ? 0 : 1);
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
    for (String k : List.of("keystore", "password", "protocol", "suite")) {
      if (!opt.containsKey(k)) throw new IllegalArgumentException("missing --" + k);
    }
    return opt;
  }

  private static SSLContext context(String keystore, char[] password) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(keystore)) {
      ks.load(in, password);
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, password);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    return ctx;
  }

  private static boolean run(Map<String, String> opt) throws Exception {
    SSLContext ctx = context(opt.get("keystore"), opt.get("password").toCharArray());
    int count = Integer.parseInt(opt.getOrDefault("count", "1"));
    boolean allGood = true;
    try (SSLServerSocket listener =
        (SSLServerSocket) ctx.getServerSocketFactory()
            .createServerSocket(0, 8, InetAddress.getByName("127.0.0.1"))) {
      SSLParameters p = listener.getSSLParameters();
      p.setProtocols(new String[] {opt.get("protocol")});
      p.setCipherSuites(new String[] {opt.get("suite")});
      listener.setSSLParameters(p);
      System.out.println("listening on 127.0.0.1:" + listener.getLocalPort());
      System.out.flush();
      for (int i = 0; i < count; ++i) {
        try (SSLSocket s = (SSLSocket) listener.accept()) {
          s.setSoTimeout(TIMEOUT_MS);
          serve(s);
        } catch (Exception e) {
          System.out.println("error: " + e);
          allGood = false;
        }
        System.out.flush();
      }
    }
    return allGood;
  }

  private static void serve(SSLSocket s) throws Exception {
    s.startHandshake();
    SSLSession session = s.getSession();
    System.out.println("protocol: " + session.getProtocol());
    System.out.println("cipher_suite: " + session.getCipherSuite());
    BufferedReader in =
        new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
    String line = in.readLine();
    if (line == null) throw new IllegalStateException("connection closed before a line");
    OutputStream out = s.getOutputStream();
    out.write((new StringBuilder(line).reverse() + "\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
    // The client's close_notify ends the stream; anything else after the line is an error.
    if (in.read() != -1) throw new IllegalStateException("unexpected data after the line");
    System.out.println("closed cleanly");
  }
}
