package org.beamarchiver.support;

import com.datastax.driver.core.Cluster;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.beamarchiver.io.cassandra.CassandraConnection;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Real servers for the tests, started once per test JVM through {@code src/scripts/servers.sh}
 * (which fetches their jars or Debian packages on a fresh machine) and stopped by a shutdown hook.
 * One Cassandra serves the whole run; each test class takes its own keyspace or database.
 */
public final class TestServers {
  private static final Path ROOT = Paths.get("").toAbsolutePath();
  private static final Path SCRIPT = ROOT.resolve("src/scripts/servers.sh");
  private static final AtomicInteger NAMES = new AtomicInteger();
  private static final List<String[]> TO_STOP = new ArrayList<>();

  private static Integer cassandraPort;
  private static Integer postgresPort;
  private static Integer s3Port;
  private static Integer flinkRestPort;
  private static CassandraCluster cassandraCluster;
  private static Integer cassandra41Port;

  /**
   * The test cluster's data centres: three nodes in dc1 (replication factor 3 there) and one in
   * dc2, for the multi-data-centre case.
   */
  static final List<String> CLUSTER_NODES = List.of("dc1", "dc1", "dc1", "dc2");

  /** The S3 server's access key and secret (test-only values). */
  public static final String S3_IDENTITY = "beam-archiver-test";

  public static final String S3_CREDENTIAL = "beam-archiver-test-secret";

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  // All at once: one after the other, eleven servers (each given up to 20 s to
                  // stop) outlasted the time the test runner gives this JVM to exit, and the last
                  // ones were left running.
                  List<Thread> stops = new ArrayList<>();
                  synchronized (TO_STOP) {
                    for (String[] s : TO_STOP) {
                      Thread t =
                          new Thread(
                              () -> {
                                try {
                                  script("stop", s[0], s[1]);
                                } catch (Exception e) {
                                  System.err.println("could not stop " + s[0] + ": " + e);
                                }
                              },
                              "stop-" + s[0]);
                      t.start();
                      stops.add(t);
                    }
                  }
                  for (Thread t : stops) {
                    try {
                      t.join();
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                      return;
                    }
                  }
                }));
  }

  private TestServers() {}

  /** The run's Cassandra native port (started on first use). */
  public static synchronized int cassandraPort() {
    if (cassandraPort == null) {
      int port = freePort();
      int storage = freePort();
      Path dir = workDir("cassandra");
      script("start", "cassandra", dir.toString(), Integer.toString(port), Integer.toString(storage));
      register("cassandra", dir);
      cassandraPort = port;
    }
    return cassandraPort;
  }

  /**
   * The run's Cassandra 4.1 node (started on first use, only by the tests of 4.1: a JVM of its
   * own beside the 5.0 node): its native port.
   */
  public static synchronized int cassandra41Port() {
    if (cassandra41Port == null) {
      int port = freePort();
      int storage = freePort();
      Path dir = workDir("cassandra-4.1");
      script("start", "cassandra", dir.toString(), Integer.toString(port), Integer.toString(storage), "4.1");
      register("cassandra", dir);
      cassandra41Port = port;
    }
    return cassandra41Port;
  }

  /** A driver for the Cassandra 4.1 node. */
  public static Cluster cluster41() {
    return Cluster.builder()
        .withNettyOptions(CassandraConnection.QUICK_CLOSE)
        .addContactPoint("127.0.0.1")
        .withPort(cassandra41Port())
        .withoutJMXReporting()
        .build();
  }

  /**
   * The run's Cassandra cluster (started on first use, only by the tests that need several nodes:
   * it takes a while on two cores): {@link #CLUSTER_NODES} on 127.0.0.1-4, one native port.
   */
  public static synchronized CassandraCluster cassandraCluster() {
    if (cassandraCluster == null) {
      int port = freePort();
      int storage = freePort();
      Path dir = workDir("cassandra-cluster");
      StringBuilder topology = new StringBuilder();
      CLUSTER_NODES.stream()
          .distinct()
          .forEach(dc -> topology.append(topology.length() == 0 ? "" : ",")
              .append(dc).append('=').append(CLUSTER_NODES.stream().filter(dc::equals).count()));
      script("start", "cassandra-cluster", dir.toString(), Integer.toString(port), Integer.toString(storage),
          topology.toString());
      register("cassandra-cluster", dir);
      CassandraCluster c = new CassandraCluster(dir, port, CLUSTER_NODES);
      c.awaitAllUp(java.time.Duration.ofMinutes(3));
      cassandraCluster = c;
    }
    return cassandraCluster;
  }

  /** The run's PostgreSQL port (started on first use; installed with apt-get when missing). */
  public static synchronized int postgresPort() {
    if (postgresPort == null) {
      int port = freePort();
      // Not under the project: the postgres user must be able to reach it.
      Path dir = Paths.get("/tmp", "beam-archiver-pg-" + ProcessHandle.current().pid());
      script("start", "postgres", dir.toString(), Integer.toString(port));
      register("postgres", dir);
      postgresPort = port;
    }
    return postgresPort;
  }

  /** The run's S3-protocol server (S3Proxy on loopback, started on first use): its endpoint URL. */
  public static synchronized String s3Endpoint() {
    if (s3Port == null) {
      int port = freePort();
      Path dir = workDir("s3proxy");
      script("start", "s3proxy", dir.toString(), Integer.toString(port), S3_IDENTITY, S3_CREDENTIAL);
      register("s3proxy", dir);
      s3Port = port;
    }
    return "http://127.0.0.1:" + s3Port;
  }

  /** A client of the S3-protocol server at {@code endpoint} (path-style, the test credentials); the caller closes it. */
  public static S3Client s3Client(URI endpoint) {
    return S3Client.builder()
        .endpointOverride(endpoint)
        .forcePathStyle(true)
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(S3_IDENTITY, S3_CREDENTIAL)))
        .build();
  }

  /** The options that point a command at the S3-protocol server at {@code endpoint} (S3Proxy, or a proxy in front of it). */
  public static List<String> s3Options(String endpoint) {
    return List.of(
        "--endpoint=" + endpoint, "--awsRegion=us-east-1", "--s3PathStyle=true",
        "--awsCredentialsProvider={\"@type\":\"StaticCredentialsProvider\",\"accessKeyId\":\"" + S3_IDENTITY
            + "\",\"secretAccessKey\":\"" + S3_CREDENTIAL + "\"}");
  }

  /**
   * The run's Flink 1.19 session cluster (one JobManager, one TaskManager with 2 slots, on
   * loopback; started on first use): the JobManager's REST address, {@code 127.0.0.1:<port>}, for
   * {@code --flinkMaster}.
   */
  public static synchronized String flinkMaster() {
    if (flinkRestPort == null) {
      int rest = freePort();
      int base = freePortRange(6);
      Path dir = workDir("flink");
      script("start", "flink", dir.toString(), Integer.toString(rest), Integer.toString(base));
      register("flink", dir);
      flinkRestPort = rest;
    }
    return "127.0.0.1:" + flinkRestPort;
  }

  // --- Azurite (Azure Blob Storage emulator) -----------------------------------------------------

  /** The storage emulators' well-known development account and its published key (not a secret). */
  public static final String AZURE_ACCOUNT = "devstoreaccount1";

  public static final String AZURE_ACCOUNT_KEY =
      "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

  private static Integer azuritePort;

  /**
   * The run's Azure Blob Storage emulator (Azurite's blob service on loopback, installed from npm and
   * started on first use): the development account's blob endpoint, {@code
   * http://127.0.0.1:<port>/devstoreaccount1}.
   */
  public static synchronized String azuriteEndpoint() {
    if (azuritePort == null) {
      int port = freePort();
      Path dir = workDir("azurite");
      script("start", "azurite", dir.toString(), Integer.toString(port));
      register("azurite", dir);
      azuritePort = port;
    }
    return "http://127.0.0.1:" + azuritePort + "/" + AZURE_ACCOUNT;
  }

  /**
   * A connection string for the development account at {@code blobEndpoint} (Azurite's, or a proxy
   * in front of it), for {@code --azureConnectionString} and the Azure SDK.
   */
  public static String azureConnectionString(String blobEndpoint) {
    return "DefaultEndpointsProtocol=" + java.net.URI.create(blobEndpoint).getScheme() + ";AccountName=" + AZURE_ACCOUNT
        + ";AccountKey=" + AZURE_ACCOUNT_KEY + ";BlobEndpoint=" + blobEndpoint + ";";
  }

  /** A new, empty PostgreSQL database; returns its JDBC URL (user postgres, no password). */
  public static String newPostgresDatabase() {
    int port = postgresPort();
    String name = "ledger_" + ProcessHandle.current().pid() + "_" + NAMES.incrementAndGet();
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + name + "?user=postgres";
  }

  /**
   * DSBulk 1.10's jars (the folder the benchmark uses too), fetched from Maven on first use through
   * {@code src/servers/dsbulk/pom.xml}: run it as {@code java -cp <dir>/* com.datastax.oss.dsbulk.runner.DataStaxBulkLoader}.
   */
  public static synchronized Path dsbulkLib() {
    Path lib = ROOT.resolve("target/servers/dsbulk/lib");
    if (!Files.isDirectory(lib)) {
      Path tmp = lib.resolveSibling("lib.tmp");
      try {
        Process p =
            new ProcessBuilder(
                    "mvn", "-B", "-q", "-f", ROOT.resolve("src/servers/dsbulk/pom.xml").toString(),
                    "dependency:copy-dependencies", "-DoutputDirectory=" + tmp)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(ROOT.resolve("target/test-servers.log").toFile()))
                .start();
        if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
          throw new IllegalStateException("fetching DSBulk's jars failed; see target/test-servers.log");
        }
        Files.move(tmp, lib);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return lib;
  }

  /** A new H2 ledger file under target/. */
  public static String newH2Ledger() {
    return "jdbc:h2:file:"
        + ROOT.resolve("target/test-ledgers/ledger-" + NAMES.incrementAndGet() + "-" + System.nanoTime())
        + ";DB_CLOSE_DELAY=-1";
  }

  /** A unique keyspace name for one test class. */
  public static String newKeyspace(String prefix) {
    return prefix + "_" + NAMES.incrementAndGet();
  }

  public static Cluster cluster() {
    return Cluster.builder()
        .withNettyOptions(CassandraConnection.QUICK_CLOSE)
        .addContactPoint("127.0.0.1")
        .withPort(cassandraPort())
        .withoutJMXReporting()
        .build();
  }

  private static void register(String kind, Path dir) {
    synchronized (TO_STOP) {
      TO_STOP.add(new String[] {kind, dir.toString()});
    }
  }

  private static Path workDir(String kind) {
    try {
      Path dir = ROOT.resolve("target/test-servers/" + kind + "-" + ProcessHandle.current().pid());
      Files.createDirectories(dir);
      return dir;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The first of {@code n} consecutive ports that are free now (servers.sh checks them again). */
  private static int freePortRange(int n) {
    java.util.Random random = new java.util.Random();
    for (int attempt = 0; attempt < 100; attempt++) {
      int first = 20000 + random.nextInt(12000); // below the usual ephemeral range (32768-)
      boolean free = true;
      for (int p = first; free && p < first + n; p++) {
        try (ServerSocket s = new ServerSocket(p, 1, java.net.InetAddress.getLoopbackAddress())) {
          s.setReuseAddress(true);
        } catch (IOException e) {
          free = false;
        }
      }
      if (free) {
        return first;
      }
    }
    throw new IllegalStateException("no " + n + " consecutive free ports");
  }

  /** The sqlite3 command-line tool, installed from Debian's packages when missing. */
  public static synchronized String sqlite3() {
    script("ensure", "sqlite3");
    return "sqlite3";
  }

  /** A python3 that has the Prometheus client's text-format parser (Debian's package, installed when missing). */
  public static synchronized String prometheusParserPython() {
    script("ensure", "prometheus-parser");
    return "/usr/bin/python3";
  }

  /** Debian's Chromium (installed with its ChromeDriver by servers.sh when missing): the binary. */
  public static synchronized String chromium() {
    script("ensure", "chromium");
    return "/usr/bin/chromium";
  }

  /** The ChromeDriver of {@link #chromium()}. */
  public static String chromedriver() {
    chromium();
    return "/usr/bin/chromedriver";
  }

  static void script(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add("bash");
    cmd.add(SCRIPT.toString());
    cmd.addAll(List.of(args));
    try {
      File log = ROOT.resolve("target/test-servers.log").toFile();
      log.getParentFile().mkdirs();
      Process p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
              .start();
      if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IllegalStateException(
            "servers.sh " + String.join(" ", args) + " failed; see " + log);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
