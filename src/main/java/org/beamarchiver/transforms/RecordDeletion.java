package org.beamarchiver.transforms;

import org.beamarchiver.ledger.Deletions;
import org.beamarchiver.ledger.DeletionStatus;
import org.beamarchiver.ledger.Deletion;
import java.sql.Connection;
import java.sql.SQLException;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.beamarchiver.sql.JdbcEndpoint;
import org.beamarchiver.model.DeleteOutcome;
import org.beamarchiver.model.PartitionDeletion;

/**
 * Records each partition's deletion in the ledger: SUCCESS only when its archive verified and
 * every row was deleted or knowingly skipped, with the counts and the time. A dry run records
 * nothing. Idempotent under retries (the same values are written again).
 */
public final class RecordDeletion
    extends PTransform<PCollection<PartitionDeletion>, PCollection<PartitionDeletion>> {
  private final JdbcEndpoint ledger;
  private final String runId;
  private final boolean dryRun;

  public RecordDeletion(JdbcEndpoint ledger, String runId, boolean dryRun) {
    this.ledger = ledger;
    this.runId = runId;
    this.dryRun = dryRun;
  }

  @Override
  public PCollection<PartitionDeletion> expand(PCollection<PartitionDeletion> in) {
    return in.apply("UpdateLedgerRow", ParDo.of(new UpdateLedgerRowFn(ledger, runId, dryRun)))
        .setCoder(SerializableCoder.of(PartitionDeletion.class));
  }

  static final class UpdateLedgerRowFn extends DoFn<PartitionDeletion, PartitionDeletion> {
    private final Counter succeeded = Metrics.counter("delete", "partitionsDeleted");
    private final Counter failedPartitions = Metrics.counter("delete", "partitionsFailed");
    private final JdbcEndpoint ledger;
    private final String runId;
    private final boolean dryRun;
    private transient JdbcEndpoint.Reused connection;
    private transient Deletions deletions;

    UpdateLedgerRowFn(JdbcEndpoint ledger, String runId, boolean dryRun) {
      this.ledger = ledger;
      this.runId = runId;
      this.dryRun = dryRun;
    }

    @ProcessElement
    public void process(@Element PartitionDeletion d, OutputReceiver<PartitionDeletion> out)
        throws SQLException {
      if (d.succeeded()) {
        succeeded.inc();
      } else {
        failedPartitions.inc();
      }
      if (!dryRun) {
        if (connection == null) {
          connection = ledger.reused();
          deletions = new Deletions(connection);
        }
        // Ridden through a ledger outage (the same values written again are harmless).
        deletions.record(
            "record the deletion of " + d.partition().partition(),
            new Deletion(
                d.partition().uuid(),
                DeletionStatus.valueOf(d.status()),
                d.tally().get(DeleteOutcome.DELETED),
                d.tally().get(DeleteOutcome.SKIPPED_CHANGED) + d.tally().get(DeleteOutcome.SKIPPED_NO_WRITE_TIME),
                d.tally().get(DeleteOutcome.ABSENT),
                d.error(),
                runId));
      }
      out.output(d);
    }

    @Teardown
    public void teardown() {
      if (connection != null) {
        connection.close();
      }
    }
  }
}
