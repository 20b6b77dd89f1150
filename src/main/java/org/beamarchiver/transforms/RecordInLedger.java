package org.beamarchiver.transforms;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.ledger.LedgerConnection;
import org.beamarchiver.model.ArchivedFile;

/**
 * Upserts one ledger row per partition, after its object is final (so the ledger never says
 * SUCCESS for an object that does not exist). Idempotent under bundle retries.
 */
public final class RecordInLedger
    extends PTransform<PCollection<ArchivedFile>, PCollection<ArchivedFile>> {
  private final LedgerConnection ledger;
  private final String archiveType;
  private final String runId;
  private final Instant archivalDate;
  private final String requestData;

  public RecordInLedger(
      LedgerConnection ledger,
      String archiveType,
      String runId,
      Instant archivalDate,
      String requestData) {
    this.ledger = ledger;
    this.archiveType = archiveType;
    this.runId = runId;
    this.archivalDate = archivalDate;
    this.requestData = requestData;
  }

  @Override
  public PCollection<ArchivedFile> expand(PCollection<ArchivedFile> files) {
    return files
        .apply("UpsertLedgerRow", ParDo.of(new UpsertLedgerRowFn(this)))
        .setCoder(SerializableCoder.of(ArchivedFile.class));
  }

  static final class UpsertLedgerRowFn extends DoFn<ArchivedFile, ArchivedFile> {
    private final Counter rowsRecorded = Metrics.counter("archive", "ledgerRowsRecorded");
    private final LedgerConnection ledger;
    private final String archiveType;
    private final String runId;
    private final Instant archivalDate;
    private final String requestData;
    private transient Connection connection;

    UpsertLedgerRowFn(RecordInLedger spec) {
      this.ledger = spec.ledger;
      this.archiveType = spec.archiveType;
      this.runId = spec.runId;
      this.archivalDate = spec.archivalDate;
      this.requestData = spec.requestData;
    }

    @Setup
    public void setup() throws SQLException {
      connection = ledger.open();
    }

    @ProcessElement
    public void process(@Element ArchivedFile file, OutputReceiver<ArchivedFile> out)
        throws SQLException {
      if (connection == null || connection.isClosed()) {
        connection = ledger.open();
      }
      if (Ledger.upsertArchive(connection, archiveType, file, runId, archivalDate, requestData)) {
        rowsRecorded.inc();
      }
      out.output(file);
    }

    @Teardown
    public void teardown() throws SQLException {
      if (connection != null) {
        connection.close();
      }
    }
  }
}
