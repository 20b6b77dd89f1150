package org.beamarchiver.tools;

import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.Session;
import java.io.PrintStream;
import java.time.Instant;
import org.beamarchiver.io.cassandra.CassandraConnection;

/** Creates the sample assessment table and loads generated rows (quick start, benchmark). */
public final class SampleCommand {
  private SampleCommand() {}

  public static long run(SampleOptions o, PrintStream out) throws Exception {
    if (o.getRows() < 0 || o.getBatches() < 1 || o.getWeeks() < 1 || o.getDeadLetterRows() < 0) {
      throw new IllegalArgumentException(
          "--rows and --deadLetterRows must be >= 0, --batches and --weeks >= 1");
    }
    Instant asOf = o.getAsOf() == null ? Instant.now() : Instant.parse(o.getAsOf());
    CassandraConnection c = CassandraConnection.from(o);
    long start = System.nanoTime();
    long written;
    try (Cluster cluster = c.newCluster();
        Session session = cluster.connect()) {
      AssessmentSample.createSchema(session);
      written =
          AssessmentSample.load(
              session,
              o.getRows(),
              o.getBatches(),
              o.getWeeks(),
              o.getDeadLetterRows(),
              o.getSeed(),
              asOf,
              o.getInFlight());
    }
    double secs = (System.nanoTime() - start) / 1e9;
    out.printf(
        "[beam-archiver] loaded %d rows (%d with a null time column) into %s.%s in %.1fs (%.0f rows/s)%n",
        written,
        o.getDeadLetterRows(),
        AssessmentSample.KEYSPACE,
        AssessmentSample.TABLE,
        secs,
        written / Math.max(secs, 1e-9));
    return written;
  }
}
