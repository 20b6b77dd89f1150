package org.beamarchiver.ledger;

import org.beamarchiver.sql.JdbcEndpoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.beamarchiver.model.ArchiveRequest;
import org.beamarchiver.model.IsoWeek;
import org.beamarchiver.model.WeekSelection;
import org.junit.jupiter.api.Test;

/**
 * The ledger selects a request's rows in SQL (period range and batch ids) instead of reading every
 * row of the type: the result must be exactly the rows the request covers, for random requests over
 * weeks that cross year ends (2020 has a W53) and batch ids that sort around the filters.
 */
class LedgerRequestTest {
  static final String[] BATCHES = {"a", "b/1", "batch-10", "batch-9", "z é", "100%", "..", "A"};

  @Test
  void aRequestsRowsAreExactlyThoseItCovers() throws Exception {
    JdbcEndpoint conn = new JdbcEndpoint("jdbc:h2:mem:ledger-request-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", null, null);
    Ledger ledger = new Ledger(conn);
    ledger.migrate();
    List<IsoWeek> weeks = new ArrayList<>();
    for (LocalDate d = LocalDate.of(2019, 12, 2); d.isBefore(LocalDate.of(2021, 3, 1)); d = d.plusWeeks(1)) {
      weeks.add(IsoWeek.of(d));
    }
    try (Connection c = conn.open();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO archival_metadata (uuid, batchid, period, type, archival_status, iteration, blob_url)"
                    + " VALUES (?, ?, ?, ?, 'SUCCESS', 1, ?)")) {
      for (String type : List.of("t", "other")) {
        for (String b : BATCHES) {
          for (IsoWeek w : weeks) {
            ps.setString(1, UUID.randomUUID().toString());
            ps.setString(2, b);
            ps.setString(3, w.toString());
            ps.setString(4, type);
            ps.setString(5, "file:///x/" + type + "/" + b + "-" + w);
            ps.addBatch();
          }
        }
      }
      ps.executeBatch();
    }
    List<LedgerRow> all = ledger.archives().rowsOfType("t");
    assertEquals(BATCHES.length * weeks.size(), all.size());
    assertTrue(weeks.stream().anyMatch(w -> w.toString().equals("2020-W53")));

    Random random = new Random(7);
    int nonEmpty = 0;
    for (int i = 0; i < 200; i++) {
      Instant asOf = weeks.get(random.nextInt(weeks.size())).start().plusSeconds(random.nextInt(14 * 86400));
      WeekSelection period = WeekSelection.values()[random.nextInt(WeekSelection.values().length)];
      Integer n = period == WeekSelection.LAST_N_WEEKS ? 1 + random.nextInt(60) : null;
      LocalDate date = period == WeekSelection.DATE ? LocalDate.of(2019, 11, 1).plusDays(random.nextInt(500)) : null;
      List<String> batches = new ArrayList<>();
      if (random.nextBoolean()) {
        for (String b : BATCHES) {
          if (random.nextInt(3) == 0) {
            batches.add(b);
          }
        }
        batches.add("not-in-ledger");
      }
      ArchiveRequest request;
      try {
        request = ArchiveRequest.resolve(period, n, date, asOf, batches);
      } catch (IllegalArgumentException e) {
        continue; // e.g. a --date in a week that has not ended
      }
      List<LedgerRow> expected = new ArrayList<>();
      for (LedgerRow r : all) {
        if (request.coversWeek(IsoWeek.parse(r.period())) && request.coversBatch(r.batchId())) {
          expected.add(r);
        }
      }
      List<LedgerRow> got = ledger.archives().rowsOfRequest("t", request);
      assertEquals(uuids(expected), uuids(got), request.describe());
      nonEmpty += got.isEmpty() ? 0 : 1;
    }
    assertTrue(nonEmpty > 50, "the random requests select rows: " + nonEmpty);
  }

  @Test
  void currentObjectsAreFoundInChunks() throws Exception {
    JdbcEndpoint conn = new JdbcEndpoint("jdbc:h2:mem:ledger-objects-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", null, null);
    Ledger ledger = new Ledger(conn);
    ledger.migrate();
    try (Connection c = conn.open();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO archival_metadata (uuid, batchid, period, type, archival_status, iteration, blob_url)"
                    + " VALUES (?, 'b', '2021-W01', 't', 'SUCCESS', 1, 'file:///x/current')")) {
      ps.setString(1, UUID.randomUUID().toString());
      ps.executeUpdate();
    }
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 1200; i++) {
      many.add("file:///x/other-" + i);
    }
    assertFalse(ledger.archives().anyCurrentObject("t", many));
    many.add("file:///x/current");
    assertTrue(ledger.archives().anyCurrentObject("t", many));
    assertFalse(ledger.archives().anyCurrentObject("u", many));
  }

  private static List<String> uuids(List<LedgerRow> rows) {
    return rows.stream().map(LedgerRow::uuid).sorted().toList();
  }

}
