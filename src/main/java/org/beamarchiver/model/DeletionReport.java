package org.beamarchiver.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;

/** One partition's line in a delete run's report (what the summary prints, dry run included). */
public record DeletionReport(
    String uuid,
    String batchId,
    String period,
    String blobUrl,
    boolean verified,
    String status,
    String error,
    long rows,
    long deleted,
    long wouldDelete,
    long skippedChanged,
    long absent,
    long failed)
    implements Serializable {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static DeletionReport of(PartitionDeletion d) {
    DeleteTally t = d.tally();
    return new DeletionReport(
        d.partition().uuid(),
        d.partition().partition().batchId(),
        d.partition().partition().period(),
        d.partition().blobUrl(),
        t.verificationError() == null,
        d.status(),
        d.error(),
        d.partition().rowCount(),
        t.get(DeleteOutcome.DELETED),
        t.get(DeleteOutcome.WOULD_DELETE),
        t.get(DeleteOutcome.SKIPPED_CHANGED) + t.get(DeleteOutcome.SKIPPED_NO_WRITE_TIME),
        t.get(DeleteOutcome.ABSENT),
        t.get(DeleteOutcome.FAILED) + t.get(DeleteOutcome.IN_DOUBT));
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static DeletionReport fromJson(String line) {
    try {
      return JSON.readValue(line, DeletionReport.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
