package org.beamarchiver.pipelines;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.beamarchiver.ledger.JobState;
import org.beamarchiver.ledger.Jobs;
import org.beamarchiver.sql.JdbcEndpoint;
import org.beamarchiver.support.AssessmentFixture;
import org.beamarchiver.support.TestServers;
import org.beamarchiver.support.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The throttles protect the live store for the whole run: an archive with --maxReadsPerSecond and a
 * delete with --maxDeletesPerSecond take at least the time their limit implies (measured from the
 * job's own state transitions, so start-up does not count), whatever the number of workers.
 */
class ThrottleIT {
  static final Instant AS_OF = AssessmentFixture.AS_OF;
  @TempDir static Path dir;

  static Duration inState(Jobs jobs, String kind, JobState state) throws Exception {
    Jobs.JobRow job = jobs.recent("assessment", 10).stream().filter(j -> j.kind().equals(kind)).findFirst().orElseThrow();
    List<Jobs.Transition> t = jobs.transitions(job.jobId());
    for (int i = 0; i + 1 < t.size(); i++) {
      if (t.get(i).state() == state) {
        return Duration.between(t.get(i).at(), t.get(i + 1).at());
      }
    }
    throw new AssertionError("no " + state + " in " + t);
  }

  @Test
  void archiveAndDeleteTakeAtLeastTheTimeTheirLimitsImply() throws Exception {
    Path key = dir.resolve("key");
    Files.writeString(key, "throttle-it signing key");
    AssessmentFixture f;
    try (Cluster cluster = TestServers.cluster();
        Session session = cluster.connect()) {
      f = AssessmentFixture.builder(session, dir).name("spec").keyspacePrefix("throttle_it")
          .rows(900).batches(3).weeks(3).deadLetters(0).seed(5L)
          .root(dir.resolve("archive")).signingKeyFile(key).options("--cassandraSplits=8").build();
    }
    long rows = f.loadedRows();
    String ledger = f.ledgerUrl();
    List<String> common = f.options();
    run("archive", common, "--maxReadsPerSecond=100");
    Jobs jobs = new Jobs(new JdbcEndpoint(ledger, null, null));
    Duration archiving = inState(jobs, "archive", JobState.ARCHIVING);
    // Every row of the table is read (those of the unfinished week too): 900 rows at 100/s.
    assertTrue(archiving.toMillis() >= 0.9 * rows * 1000 / 100, "archive read " + rows + " rows in " + archiving);

    String delete = run("delete", common, "--maxDeletesPerSecond=100");
    long deleted = Long.parseLong(delete.replaceAll("(?s).*rows: (\\d+) deleted.*", "$1"));
    assertTrue(deleted > 300, delete);
    Duration deleting = inState(jobs, "delete", JobState.DELETING);
    assertTrue(deleting.toMillis() >= 0.9 * deleted * 1000 / 100, "deleted " + deleted + " rows in " + deleting);
  }

  static String run(String command, List<String> common, String... extra) {
    return Cli.expect(0, command, common, extra);
  }
}
