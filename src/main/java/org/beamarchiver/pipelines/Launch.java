package org.beamarchiver.pipelines;

import org.beamarchiver.ledger.Ledger;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import org.beamarchiver.control.JobControl;
import org.beamarchiver.io.LiveSources;
import org.beamarchiver.io.source.LiveSource;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.sql.JdbcEndpoint;
import org.beamarchiver.model.ArchiveRequest;
import org.beamarchiver.options.ArchiveStoreOptions;
import org.beamarchiver.options.CassandraSourceOptions;
import org.beamarchiver.options.Checks;
import org.beamarchiver.options.JdbcSourceOptions;
import org.beamarchiver.options.LedgerOptions;
import org.beamarchiver.options.PeriodOptions;
import org.beamarchiver.options.Requests;
import org.beamarchiver.options.RunControlOptions;
import org.beamarchiver.options.TableSpecOptions;
import org.beamarchiver.spec.TableSpec;
import org.beamarchiver.spec.TableSpecLoader;
import org.beamarchiver.spec.SpecUnit;

/**
 * What every command resolves from its options before touching a server: the table spec, the
 * request, the live source and how to reach the ledger, the archive root, and the run's identity. Any
 * invalid option fails here, naming the option, before anything is changed.
 */
record Launch(
    String runId,
    Instant now,
    TableSpec spec,
    ArchiveRequest request,
    LiveSource source,
    JdbcEndpoint ledger,
    String archiveRoot) {

  static <O extends TableSpecOptions & PeriodOptions & CassandraSourceOptions & JdbcSourceOptions & LedgerOptions & ArchiveStoreOptions>
      Launch resolve(O options, Clock clock, String action) {
    TableSpec spec = TableSpecLoader.load(Paths.get(options.getTableSpec()));
    // a files spec is refused here (exit 2), naming its kind: row jobs need a live source
    return resolve(options, clock, action, spec, LiveSources.of(spec, options));
  }

  /** The launch of a job over a files table ({@code spec}, loaded by the caller): no live source. */
  static <O extends TableSpecOptions & PeriodOptions & CassandraSourceOptions & JdbcSourceOptions & LedgerOptions & ArchiveStoreOptions>
      Launch resolveFiles(O options, Clock clock, String action, TableSpec spec) {
    if (spec.files() == null) {
      throw new IllegalArgumentException(spec.qualifiedTable() + " is not a files table");
    }
    return resolve(options, clock, action, spec, null);
  }

  private static <O extends TableSpecOptions & PeriodOptions & LedgerOptions & ArchiveStoreOptions>
      Launch resolve(O options, Clock clock, String action, TableSpec spec, LiveSource source) {
    // The request is resolved against the clock (tests fix it); the run's identity, and the time
    // in its object names, is the real time, so that two runs never name an object alike.
    // A storage of a lifecycle serves the weeks its dates touch.
    SpecUnit unit = TableSpecLoader.loadUnit(Paths.get(options.getTableSpec()));
    ArchiveRequest request = Requests.from(options, clock.instant()).within(unit.from(), unit.until());
    Instant now = Instant.now();
    JdbcEndpoint ledger = Ledger.endpoint(options);
    String root = Stores.normalizeRoot(options.getArchiveRoot());
    String runId = newRunId(action, now);
    return new Launch(runId, now, spec, request, source, ledger, root);
  }

  /** A run's identity: what it does, when, and a random tail so that two runs never share one. */
  static String newRunId(String action, Instant now) {
    return action + "-" + now.toEpochMilli() + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 16, 1 << 20));
  }

  /** The request as a job records it: what the run does, to which table, for which request. */
  String requestData(String action) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode n = json.createObjectNode();
    n.put("action", action);
    n.put("table", spec.qualifiedTable());
    n.put("period", request.selection().name());
    request.weeks().ifPresent(w -> n.put("weeks", w));
    request.date().ifPresent(d -> n.put("date", d.toString()));
    n.put("asOf", request.asOf().toString());
    n.putPOJO("batchIds", request.batchIds());
    n.put("runId", runId);
    try {
      return json.writeValueAsString(n);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * How this run's job is controlled (the table's lease, retries); the options are checked here.
   * The request it records is added with {@link JobControl.Settings#withRequestData}.
   */
  JobControl.Settings jobSettings(RunControlOptions o, String kind) {
    return jobSettings(o, kind, ledger, spec, runId);
  }

  /** {@link #jobSettings(RunControlOptions, String)} of a job that has no request (purge). */
  static JobControl.Settings jobSettings(RunControlOptions o, String kind, JdbcEndpoint ledger, TableSpec spec, String runId) {
    Checks.range("--leaseSeconds", o.getLeaseSeconds(), 5, 86_400);
    Checks.range("--waitForLeaseSeconds", o.getWaitForLeaseSeconds(), 0, 86_400);
    Checks.range("--maxRetries", o.getMaxRetries(), 0, 100);
    Checks.range("--retryBackoffSeconds", o.getRetryBackoffSeconds(), 0, 3_600);
    return new JobControl.Settings(
        ledger,
        kind,
        spec.archiveType(),
        spec.qualifiedTable(),
        runId,
        null,
        Duration.ofSeconds(o.getLeaseSeconds()),
        Duration.ofSeconds(o.getWaitForLeaseSeconds()),
        o.getMaxRetries(),
        Duration.ofSeconds(o.getRetryBackoffSeconds()),
        org.beamarchiver.notify.Notifier.of(o),
        org.beamarchiver.notify.RunMetrics.of(o));
  }
}
