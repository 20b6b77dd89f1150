package org.beamarchiver.transforms;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.beamarchiver.io.store.Stores;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.beamarchiver.ledger.Archives;
import org.beamarchiver.sql.JdbcEndpoint;
import org.beamarchiver.model.ArchivedFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.beamarchiver.retry.Crash;

/**
 * Upserts one ledger row per partition, after its object is final (so the ledger never says
 * SUCCESS for an object that does not exist). Idempotent under bundle retries.
 */
public final class RecordInLedger
    extends PTransform<PCollection<ArchivedFile>, PCollection<ArchivedFile>> {
  private final JdbcEndpoint ledger;
  private final String archiveType;
  private final String runId;
  private final Instant archivalDate;
  private final String requestData;
  private final boolean force;

  public RecordInLedger(
      JdbcEndpoint ledger,
      String archiveType,
      String runId,
      Instant archivalDate,
      String requestData,
      boolean force) {
    this.ledger = ledger;
    this.archiveType = archiveType;
    this.runId = runId;
    this.archivalDate = archivalDate;
    this.requestData = requestData;
    this.force = force;
  }

  /** The write-ahead of {@link WritePartitionFiles}: the object's name recorded before it exists. */
  public WritePartitionFiles.WriteAhead writeAhead() {
    return new LedgerWriteAhead(ledger, archiveType, runId, archivalDate, requestData);
  }

  /**
   * The write-ahead on a ledger connection kept by the worker's copy (each DoFn instance
   * deserializes its own; one thread at a time): on a runner that writes a partition per element,
   * a connection per partition was thousands of logins to the ledger database.
   */
  static final class LedgerWriteAhead implements WritePartitionFiles.WriteAhead {
    private final JdbcEndpoint ledger;
    private final String archiveType;
    private final String runId;
    private final Instant archivalDate;
    private final String requestData;
    private transient JdbcEndpoint.Reused connection;

    LedgerWriteAhead(JdbcEndpoint ledger, String archiveType, String runId, Instant archivalDate, String requestData) {
      this.ledger = ledger;
      this.archiveType = archiveType;
      this.runId = runId;
      this.archivalDate = archivalDate;
      this.requestData = requestData;
    }

    @Override
    public void beforeWrite(java.util.Map<org.beamarchiver.model.PartitionKey, String> names) throws SQLException {
      if (connection == null) {
        connection = ledger.reused();
      }
      try {
        new Archives(connection).markPending(archiveType, names, new Archives.Run(runId, archivalDate, requestData, false));
      } catch (SQLException e) {
        throw new SQLException("ledger " + ledger + ": " + e.getMessage(), e.getSQLState(), e);
      }
    }

    @Override
    public void close() {
      if (connection != null) {
        connection.close();
        connection = null;
      }
    }
  }

  @Override
  public PCollection<ArchivedFile> expand(PCollection<ArchivedFile> files) {
    return files
        .apply("UpsertLedgerRow", ParDo.of(new UpsertLedgerRowFn(this)))
        .setCoder(SerializableCoder.of(ArchivedFile.class));
  }

  static final class UpsertLedgerRowFn extends DoFn<ArchivedFile, ArchivedFile> {
    private static final Logger LOG = LoggerFactory.getLogger(UpsertLedgerRowFn.class);
    private final Counter rowsRecorded = Metrics.counter("archive", "ledgerRowsRecorded");
    private final Counter supersededRemoved = Metrics.counter("archive", "supersededRemoved");
    private final JdbcEndpoint ledger;
    private final String archiveType;
    private final String runId;
    private final Instant archivalDate;
    private final String requestData;
    private final boolean force;
    private transient JdbcEndpoint.Reused connection;
    private transient Archives archives;

    UpsertLedgerRowFn(RecordInLedger spec) {
      this.ledger = spec.ledger;
      this.archiveType = spec.archiveType;
      this.runId = spec.runId;
      this.archivalDate = spec.archivalDate;
      this.requestData = spec.requestData;
      this.force = spec.force;
    }

    @Setup
    public void setup() {
      connection = ledger.reused();
      archives = new Archives(connection);
    }

    @ProcessElement
    public void process(@Element ArchivedFile file, OutputReceiver<ArchivedFile> out)
        throws SQLException, IOException {
      // Ridden through a ledger outage: a retry after a lost commit answer finds its own row.
      Archives.Upsert done =
          archives.upsert(archiveType, file, new Archives.Run(runId, archivalDate, requestData, force));
      if (done.written()) {
        rowsRecorded.inc();
        Crash.point("recorded");
      } else if (file.succeeded()) {
        // Another run archived this partition meanwhile: ours is not recorded, so remove it.
        Stores.deleteArchived(file.blobUrl());
      }
      if (done.supersededBlob() != null) {
        // The new archive is recorded; the one it replaces goes (or the run's post-processing
        // removes it, if this fails).
        try {
          Stores.deleteArchived(done.supersededBlob());
          archives.markSupersededRemoved(Archives.uuidOf(archiveType, file.partition()), done.supersededRun());
          supersededRemoved.inc();
        } catch (IOException | RuntimeException e) {
          LOG.warn("could not remove superseded {}: {}", done.supersededBlob(), e.toString());
        }
      }
      out.output(file);
    }

    @Teardown
    public void teardown() {
      if (connection != null) {
        connection.close();
      }
    }
  }
}
