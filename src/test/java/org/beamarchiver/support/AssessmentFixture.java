package org.beamarchiver.support;

import com.datastax.driver.core.ColumnDefinitions;
import com.datastax.driver.core.Row;
import com.datastax.driver.core.Session;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.beamarchiver.io.cassandra.CqlText;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.ledger.LedgerRow;
import org.beamarchiver.sql.JdbcEndpoint;
import org.beamarchiver.tools.AssessmentSample;

/**
 * What an end-to-end test of the assessment table runs over: a new keyspace with generated rows
 * ({@link AssessmentSample}), the shipped table spec ({@code pipelines/assessment.yaml}) rewritten
 * to that keyspace, a ledger, an archive root, a signing key file, and the options every command
 * over them takes ({@link #options}). Immutable: {@link #with} and {@link #without} give the same
 * data with other options.
 *
 * <pre>{@code
 * AssessmentFixture f = AssessmentFixture.builder(session, dir).name("basic").keyspacePrefix("delete_it")
 *     .rows(240).batches(3).deadLetters(2).seed(5L).options("--cassandraSplits=4").build();
 * Cli.expect(0, "archive", f.options());
 * Cli.expect(0, "delete", f.options("--dryRun=true"));
 * }</pre>
 */
public final class AssessmentFixture {
  /** A Wednesday in 2021-W02: 2021-W02 is unfinished, 2021-W01 and 2020-W53 have ended. */
  public static final Instant AS_OF = Instant.parse("2021-01-13T12:00:00Z");

  /** The shipped spec the fixtures rewrite. */
  public static final Path SHIPPED_SPEC = Paths.get("pipelines/assessment.yaml");

  private final String name;
  private final String keyspace;
  private final Path spec;
  private final long loadedRows;
  private final List<String> options;

  private AssessmentFixture(String name, String keyspace, Path spec, long loadedRows, List<String> options) {
    this.name = name;
    this.keyspace = keyspace;
    this.spec = spec;
    this.loadedRows = loadedRows;
    this.options = List.copyOf(options);
  }

  /** A fixture whose rows go into {@code session}'s Cassandra and whose files go under {@code dir}. */
  public static Builder builder(Session session, Path dir) {
    return new Builder(session, dir);
  }

  /** The name its spec file ({@code <name>.yaml}) and its default archive root are named by. */
  public String name() {
    return name;
  }

  public String keyspace() {
    return keyspace;
  }

  /** {@code <keyspace>.assessment_aggregator}. */
  public String table() {
    return keyspace + "." + AssessmentSample.TABLE;
  }

  /** The rewritten table spec. */
  public Path spec() {
    return spec;
  }

  /** How many rows the generator wrote (dead letters included). */
  public long loadedRows() {
    return loadedRows;
  }

  /** The value of an option of {@link #options()}, or null. */
  public String option(String name) {
    for (String o : options) {
      if (nameOf(o).equals(name)) {
        return o.substring(o.indexOf('=') + 1);
      }
    }
    return null;
  }

  public String ledgerUrl() {
    return option("--ledgerUrl");
  }

  /** The ledger the options name. */
  public Ledger ledger() {
    return new Ledger(new JdbcEndpoint(ledgerUrl(), null, null));
  }

  /** The ledger's rows of the type whose archive is SUCCESS. */
  public List<LedgerRow> archived() throws Exception {
    return ledger().archives().rowsOfType("assessment").stream().filter(LedgerRow::archived).toList();
  }

  /** {@code --archiveRoot} as given (a local folder, {@code s3://...} or {@code azfs://...}). */
  public String rootUrl() {
    return option("--archiveRoot");
  }

  /** The archive root as a local folder. */
  public Path root() {
    return Paths.get(rootUrl());
  }

  /** The local folder of the type's archive files. */
  public Path archives() {
    return root().resolve("archived-batches/assessment");
  }

  /** The signing key file the options name, or null. */
  public Path keyFile() {
    String k = option("--signingKeyFile");
    return k == null ? null : Paths.get(k);
  }

  /**
   * The options for a command over the fixture (the command not included), then {@code extra}: an
   * option of {@code extra} replaces the fixture's option of the same name ({@code --period=ALL}
   * unless given; another {@code --signingKeyFile}). A new list the caller may change.
   */
  public List<String> options(String... extra) {
    return merge(options, List.of(extra));
  }

  /** The same data with these options in place of the same options (added where there are none). */
  public AssessmentFixture with(String... replacing) {
    return new AssessmentFixture(name, keyspace, spec, loadedRows, options(replacing));
  }

  /** The same data without the options of these names ({@code "--asOf"}). */
  public AssessmentFixture without(String... names) {
    Set<String> drop = Set.of(names);
    return new AssessmentFixture(
        name, keyspace, spec, loadedRows, options.stream().filter(o -> !drop.contains(nameOf(o))).toList());
  }

  /** Every row of the table now, read at consistency ALL. */
  public TableSnapshot snapshot(Session session) {
    return TableSnapshot.read(session, keyspace);
  }

  /** Every row of the table, cell for cell in canonical text, by primary key ("user|course|batch|content|attempt"). */
  public Map<String, List<String>> cells(Session session) {
    return cells(session, keyspace, AssessmentSample.TABLE);
  }

  /** Every row of an assessment-shaped table, cell for cell in canonical text, by primary key. */
  public static Map<String, List<String>> cells(Session session, String keyspace, String table) {
    Map<String, List<String>> out = new TreeMap<>();
    for (Row r : session.execute("SELECT * FROM " + keyspace + "." + table)) {
      ColumnDefinitions d = r.getColumnDefinitions();
      List<String> cells = new ArrayList<>();
      for (int i = 0; i < d.size(); i++) {
        cells.add(d.getName(i) + "=" + (r.isNull(i) ? "null" : CqlText.of(r.getObject(i))));
      }
      out.put(
          r.getString("user_id") + "|" + r.getString("course_id") + "|" + r.getString("batch_id") + "|"
              + r.getString("content_id") + "|" + r.getString("attempt_id"),
          cells);
    }
    return out;
  }

  /** A shipped spec ({@code shipped}) with its keyspace replaced by {@code keyspace}, then {@code extra}, at {@code to}. */
  public static Path writeSpec(Path shipped, String keyspace, Path to, String extra) throws IOException {
    String yaml = Files.readString(shipped).replace("keyspace: sunbird_courses", "keyspace: " + keyspace);
    Files.writeString(to, yaml + extra);
    return to;
  }

  @Override
  public String toString() {
    return keyspace + " " + options;
  }

  private static String nameOf(String option) {
    int eq = option.indexOf('=');
    return eq < 0 ? option : option.substring(0, eq);
  }

  /** {@code base} less the options {@code extra} names, then {@code extra}. */
  static List<String> merge(List<String> base, List<String> extra) {
    Set<String> replaced = extra.stream().map(AssessmentFixture::nameOf).collect(Collectors.toSet());
    List<String> out = new ArrayList<>();
    for (String o : base) {
      if (!replaced.contains(nameOf(o))) {
        out.add(o);
      }
    }
    out.addAll(extra);
    return out;
  }

  /**
   * How the fixture is made. Defaults: 3 weeks ending with the week of {@link #AS_OF}, no dead
   * letters, 64 inserts in flight, the keyspace created by the sample schema (replication 1), the
   * test Cassandra ({@code --cassandraPort}), a new H2 ledger, the root {@code <dir>/<name>}, no
   * signing key option, {@code --period=ALL}.
   */
  public static final class Builder {
    private final Session session;
    private final Path dir;
    private String keyspacePrefix = "assessment_it";
    private String keyspace;
    private String name;
    private String replication;
    private long rows = -1;
    private int batches = -1;
    private int weeks = 3;
    private int deadLetters;
    private Long seed;
    private int inFlight = 64;
    private Instant asOf = AS_OF;
    private String specExtra = "";
    private List<String> cassandra;
    private String ledgerUrl;
    private String root;
    private Path keyFile;
    private final List<String> extra = new ArrayList<>();

    private Builder(Session session, Path dir) {
      this.session = session;
      this.dir = dir;
    }

    /** The spec file's name ({@code <name>.yaml}) and the default root's; the keyspace's by default. */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** A new keyspace {@code <prefix>_<n>} (the default). */
    public Builder keyspacePrefix(String prefix) {
      this.keyspacePrefix = prefix;
      return this;
    }

    /** This keyspace name, as it is. */
    public Builder keyspace(String keyspace) {
      this.keyspace = keyspace;
      return this;
    }

    /** The keyspace is created first with this replication ({@code {'class': ..., 'dc1': 3}}). */
    public Builder replication(String replication) {
      this.replication = replication;
      return this;
    }

    /** Rows with a time (dead letters come on top). */
    public Builder rows(long rows) {
      this.rows = rows;
      return this;
    }

    public Builder batches(int batches) {
      this.batches = batches;
      return this;
    }

    /** Weeks the rows' times spread over, ending with the week of asOf. */
    public Builder weeks(int weeks) {
      this.weeks = weeks;
      return this;
    }

    /** Rows without a time. */
    public Builder deadLetters(int deadLetters) {
      this.deadLetters = deadLetters;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Inserts in flight while loading. */
    public Builder inFlight(int inFlight) {
      this.inFlight = inFlight;
      return this;
    }

    /** The time the rows are generated around and {@code --asOf}. */
    public Builder asOf(Instant asOf) {
      this.asOf = asOf;
      return this;
    }

    /** YAML appended to the rewritten spec ({@code "format: PARQUET\n"}). */
    public Builder specExtra(String yaml) {
      this.specExtra = yaml;
      return this;
    }

    /** The options that point a command at Cassandra (the test Cassandra's port by default). */
    public Builder cassandra(List<String> options) {
      this.cassandra = List.copyOf(options);
      return this;
    }

    /** The ledger's JDBC URL (a new H2 ledger by default). */
    public Builder ledger(String url) {
      this.ledgerUrl = url;
      return this;
    }

    /** {@code --archiveRoot} ({@code <dir>/<name>} by default). */
    public Builder root(String root) {
      this.root = root;
      return this;
    }

    public Builder root(Path root) {
      return root(root.toString());
    }

    /** {@code --signingKeyFile} (none by default: the default key). */
    public Builder signingKeyFile(Path keyFile) {
      this.keyFile = keyFile;
      return this;
    }

    /** More options every command over the fixture takes ({@code --cassandraSplits=4}). */
    public Builder options(String... options) {
      extra.addAll(List.of(options));
      return this;
    }

    public Builder options(List<String> options) {
      extra.addAll(options);
      return this;
    }

    /** Creates the keyspace and its table, loads the rows, writes the spec. */
    public AssessmentFixture build() throws Exception {
      if (rows < 0 || batches < 0 || seed == null) {
        throw new IllegalStateException("rows, batches and seed are the data: give them");
      }
      String ks = keyspace != null ? keyspace : TestServers.newKeyspace(keyspacePrefix);
      if (replication != null) {
        session.execute("CREATE KEYSPACE " + ks + " WITH replication = " + replication);
      }
      AssessmentSample.createSchema(session, ks);
      long loaded = AssessmentSample.load(session, ks, rows, batches, weeks, deadLetters, seed, asOf, inFlight);
      String n = name != null ? name : ks;
      Path spec = writeSpec(SHIPPED_SPEC, ks, dir.resolve(n + ".yaml"), specExtra);
      List<String> o = new ArrayList<>();
      o.add("--tableSpec=" + spec);
      o.addAll(cassandra != null ? cassandra : List.of("--cassandraPort=" + TestServers.cassandraPort()));
      o.add("--ledgerUrl=" + (ledgerUrl != null ? ledgerUrl : TestServers.newH2Ledger()));
      o.add("--archiveRoot=" + (root != null ? root : dir.resolve(n).toString()));
      if (keyFile != null) {
        o.add("--signingKeyFile=" + keyFile);
      }
      o.add("--asOf=" + asOf);
      o.add("--period=ALL");
      o.addAll(extra);
      return new AssessmentFixture(n, ks, spec, loaded, o);
    }
  }
}
