package org.beamarchiver.pipelines;

import java.nio.file.Paths;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.io.cassandra.CassandraConnection;
import org.beamarchiver.io.jdbc.JdbcTable;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.sql.JdbcEndpoint;
import org.beamarchiver.model.ArchiveRequest;
import org.beamarchiver.options.ArchiveStoreOptions;
import org.beamarchiver.options.CassandraSourceOptions;
import org.beamarchiver.options.JdbcSourceOptions;
import org.beamarchiver.options.LedgerOptions;
import org.beamarchiver.options.PeriodOptions;
import org.beamarchiver.options.Requests;
import org.beamarchiver.options.TableSpecOptions;
import org.beamarchiver.spec.TableSpec;
import org.beamarchiver.spec.TableSpecLoader;

/**
 * What every command resolves from its options before touching a server: the table spec, the
 * request, how to reach the source and the ledger, the archive root, and the run's identity. Any
 * invalid option fails here, naming the option, before anything is changed.
 */
record Launch(
    String runId,
    Instant now,
    TableSpec spec,
    ArchiveRequest request,
    CassandraConnection cassandra,
    JdbcEndpoint jdbcSource,
    JdbcEndpoint ledger,
    String archiveRoot) {

  static <O extends TableSpecOptions & PeriodOptions & CassandraSourceOptions & JdbcSourceOptions & LedgerOptions & ArchiveStoreOptions>
      Launch resolve(O options, Clock clock, String action) {
    TableSpec spec = TableSpecLoader.load(Paths.get(options.getTableSpec()));
    // The request is resolved against the clock (tests fix it); the run's identity, and the time
    // in its object names, is the real time, so that two runs never name an object alike.
    ArchiveRequest request = Requests.from(options, clock.instant());
    Instant now = Instant.now();
    CassandraConnection cassandra = CassandraConnection.from(options);
    JdbcEndpoint jdbcSource =
        spec.sourceKind() == TableSpec.SourceKind.jdbc ? JdbcTable.connection(options) : null;
    JdbcEndpoint ledger = Ledger.endpoint(options);
    String root = Stores.normalizeRoot(options.getArchiveRoot());
    String runId =
        action
            + "-"
            + now.toEpochMilli()
            + "-"
            + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 16, 1 << 20));
    return new Launch(runId, now, spec, request, cassandra, jdbcSource, ledger, root);
  }
}
