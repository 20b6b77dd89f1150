package org.beamarchiver.tools;

import com.datastax.driver.core.BatchStatement;
import com.datastax.driver.core.BoundStatement;
import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.PreparedStatement;
import com.datastax.driver.core.Session;
import com.datastax.driver.core.Statement;
import com.datastax.driver.core.UDTValue;
import com.datastax.driver.core.UserType;
import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import org.beamarchiver.model.IsoWeek;

/**
 * Generates assessment rows shaped like the learning platform's {@code assessment_aggregator}:
 * users attempting contents of a course in a batch, each attempt with a few questions. Used by the
 * quick start, the tests and the benchmark. Deterministic for a given seed.
 */
public final class AssessmentSample {
  public static final String KEYSPACE = "sunbird_courses";
  public static final String TABLE = "assessment_aggregator";

  private AssessmentSample() {}

  /** Creates the keyspace, type and table when missing (a sandbox keyspace: replication 1). */
  public static void createSchema(Session session) throws IOException {
    createSchema(session, KEYSPACE);
  }

  /** The same schema in another keyspace (tests give each class its own). */
  public static void createSchema(Session session, String keyspace) throws IOException {
    String cql;
    try (InputStream in = AssessmentSample.class.getResourceAsStream("/sample/assessment.cql")) {
      cql = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace(KEYSPACE + ".", keyspace + ".")
          .replace("KEYSPACE IF NOT EXISTS " + KEYSPACE, "KEYSPACE IF NOT EXISTS " + keyspace);
    }
    for (String stmt : cql.split(";")) {
      if (!stmt.isBlank()) {
        session.execute(stmt);
      }
    }
  }

  /** One generated row; null fields are written as nulls. */
  public record Row(
      String userId,
      String courseId,
      String batchId,
      String contentId,
      String attemptId,
      Instant createdOn,
      String grandTotal,
      Instant lastAttemptedOn,
      int questions,
      double totalMaxScore,
      double totalScore,
      Instant updatedOn) {}

  /**
   * Consecutive rows belong to one learner's attempts in one course batch and week, as on the
   * platform, where a learner takes several assessments of a course in a sitting.
   */
  public static final int ATTEMPTS_PER_LEARNER = 4;

  /**
   * The i-th row of a generated data set: batches {@code batch-000..}, updated_on spread over the
   * {@code weeks} weeks ending with the week holding {@code asOf}.
   */
  public static Row row(long i, int batches, int weeks, Instant asOf, Random random) {
    IsoWeek current = IsoWeek.of(asOf);
    long learner = i / ATTEMPTS_PER_LEARNER;
    int batch = (int) (learner % batches);
    int weekBack = (int) ((learner / batches) % weeks);
    IsoWeek week = current.minusWeeks(weekBack);
    long weekMillis = 7L * 24 * 3600 * 1000;
    long span = weekBack == 0 ? Math.max(1, asOf.toEpochMilli() - week.start().toEpochMilli()) : weekMillis;
    Instant updated = week.start().plusMillis(Math.floorMod(random.nextLong(), span));
    int questions = 1 + random.nextInt(5);
    double max = questions * 5.0;
    double score = Math.floor(random.nextDouble() * max * 2) / 2;
    return new Row(
        String.format("user-%07d", learner),
        String.format("do_course_%03d", batch % 7),
        String.format("batch-%03d", batch),
        String.format("do_content_%04d", random.nextInt(2000)),
        String.format("attempt-%d-%d", i, random.nextInt(1_000_000)),
        updated.minusSeconds(600),
        score + "/" + max,
        updated.minusSeconds(30),
        questions,
        max,
        score,
        updated);
  }

  /** Inserts rows concurrently; returns how many were written. */
  public static long load(
      Session session,
      long rows,
      int batches,
      int weeks,
      int deadLetterRows,
      long seed,
      Instant asOf,
      int inFlight)
      throws InterruptedException {
    return load(session, KEYSPACE, rows, batches, weeks, deadLetterRows, seed, asOf, inFlight);
  }

  /** Inserts rows into {@code keyspace}'s table concurrently; returns how many were written. */
  public static long load(
      Session session,
      String keyspace,
      long rows,
      int batches,
      int weeks,
      int deadLetterRows,
      long seed,
      Instant asOf,
      int inFlight)
      throws InterruptedException {
    Cluster cluster = session.getCluster();
    UserType question = cluster.getMetadata().getKeyspace(keyspace).getUserType("question");
    PreparedStatement insert =
        session.prepare(
            "INSERT INTO "
                + keyspace
                + "."
                + TABLE
                + " (user_id, course_id, batch_id, content_id, attempt_id, created_on, grand_total,"
                + " last_attempted_on, question, total_max_score, total_score, updated_on)"
                + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
    insert.setIdempotent(false); // it writes a list: sent twice, its elements would be twice
    Random random = new Random(seed);
    Semaphore permits = new Semaphore(inFlight);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long total = rows + deadLetterRows;
    BatchStatement batch = new BatchStatement(BatchStatement.Type.UNLOGGED);
    String pendingUser = "";
    for (long i = 0; i < total; i++) {
      Row r = row(i, batches, weeks, asOf, random);
      boolean dead = i >= rows;
      List<UDTValue> qs = new ArrayList<>();
      for (int q = 0; q < r.questions(); q++) {
        qs.add(question(question, r, q, random));
      }
      BoundStatement bound =
          insert.bind(
              r.userId(),
              r.courseId(),
              r.batchId(),
              r.contentId(),
              dead ? "dead-letter-" + i : r.attemptId(),
              Date.from(r.createdOn()),
              r.grandTotal(),
              Date.from(r.lastAttemptedOn()),
              qs,
              r.totalMaxScore(),
              r.totalScore(),
              dead ? null : Date.from(r.updatedOn()));
      // One unlogged batch per learner: the rows share a partition, so it is one mutation.
      if (!pendingUser.equals(r.userId()) && batch.size() > 0) {
        if (!send(session, batch, permits, failure)) {
          break;
        }
        batch = new BatchStatement(BatchStatement.Type.UNLOGGED);
      }
      pendingUser = r.userId();
      batch.add(bound);
    }
    if (batch.size() > 0 && failure.get() == null) {
      send(session, batch, permits, failure);
    }
    permits.acquire(inFlight);
    permits.release(inFlight);
    if (failure.get() != null) {
      throw new IllegalStateException("insert failed: " + failure.get(), failure.get());
    }
    return total;
  }

  private static boolean send(
      Session session, Statement statement, Semaphore permits, AtomicReference<Throwable> failure)
      throws InterruptedException {
    permits.acquire();
    if (failure.get() != null) {
      permits.release();
      return false;
    }
    Futures.addCallback(
        session.executeAsync(statement),
        new FutureCallback<Object>() {
          @Override
          public void onSuccess(Object result) {
            permits.release();
          }

          @Override
          public void onFailure(Throwable t) {
            failure.compareAndSet(null, t);
            permits.release();
          }
        },
        MoreExecutors.directExecutor());
    return true;
  }

  private static UDTValue question(UserType type, Row r, int q, Random random) {
    double max = 5.0;
    double score = Math.floor(random.nextDouble() * 11) / 2;
    return type.newValue()
        .setString("id", "do_question_" + (1000 + random.nextInt(9000)))
        .setTimestamp("assess_ts", Date.from(r.updatedOn().minusSeconds(60L * (q + 1))))
        .setDouble("max_score", max)
        .setDouble("score", score)
        .setString("type", q % 2 == 0 ? "mcq" : "ftb")
        .setString("title", "Question " + (q + 1) + ": what is " + (q + 2) + " x " + (q + 3) + "?")
        .setList(
            "resvalues",
            List.of(Map.of("1", "{\"text\":\"" + ((q + 2) * (q + 3)) + "\"}")))
        .setList(
            "params",
            List.of(
                Map.of("1", "{\"text\":\"" + ((q + 2) * (q + 3)) + "\"}"),
                Map.of("answer", "{\"correct\":[\"1\"]}")))
        .setString("description", "Multiplication, level " + (q + 1))
        .setDecimal("duration", BigDecimal.valueOf(5 + random.nextInt(120)));
  }
}
