package org.beamarchiver.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.beamarchiver.ledger.ArchiveStatus;
import org.beamarchiver.ledger.DeletionStatus;
import org.beamarchiver.ledger.JobState;
import org.beamarchiver.ledger.Jobs;
import org.beamarchiver.ledger.LedgerRow;
import org.beamarchiver.ledger.Leases;
import org.beamarchiver.support.LedgerRows;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

/** The page's HTML as a browser parses it (jsoup): cells, states, escaping, the weeks shown. */
class StatusPageTest {
  static final Instant NOW = LedgerRows.AT;
  static final String HOSTILE = "<script>alert(\"x\")</script> & 'b' =";

  static LedgerRow row(String batch, String week, ArchiveStatus a, DeletionStatus d, String verify, Long rows, String error) {
    return LedgerRows.row(batch, week, a, d, verify, rows, error);
  }

  public static StatusSnapshot snapshot(List<LedgerRow> rows, List<StatusSnapshot.JobHistory> jobs, Leases.Holder lease) {
    return new StatusSnapshot("ks.tbl", "t", "period ALL", NOW, lease, jobs, rows, List.of());
  }

  @Test
  void everyPartitionIsACellInItsStateWithItsRowCountOnHover() {
    List<LedgerRow> rows = List.of(
        row("b1", "2026-W01", ArchiveStatus.SUCCESS, DeletionStatus.SUCCESS, "OK", 100L, null),
        row("b1", "2026-W02", ArchiveStatus.SUCCESS, null, "OK", 1234567L, null),
        row("b1", "2026-W04", ArchiveStatus.SUCCESS, null, null, 5L, null),
        row("b2", "2026-W02", ArchiveStatus.FAILED, null, null, null, "store down"),
        row("b2", "2026-W03", ArchiveStatus.SUCCESS, DeletionStatus.SUCCESS, "MISMATCH: sha256 differs", 7L, null),
        row("b2", "2026-W04", ArchiveStatus.PENDING, null, null, null, null),
        row(HOSTILE, "2026-W01", ArchiveStatus.SUCCESS, DeletionStatus.FAILED, "OK", 3L, "delete failed"));
    Document doc = Jsoup.parse(StatusPage.render(snapshot(rows, List.of(), null), 0));

    // three batches, weeks W01..W04 (W03 of b1 has no partition but its column is there)
    assertEquals(3, doc.select("#grid tbody tr").size());
    assertEquals(List.of("2026-W01", "2026-W02", "2026-W03", "2026-W04"),
        doc.select("#grid thead tr:eq(1) th[title]").eachAttr("title"));
    assertEquals(12, doc.select("#grid td.cell").size());
    assertEquals("deleted", cell(doc, "b1", "2026-W01").attr("data-state"));
    assertEquals("archived", cell(doc, "b1", "2026-W02").attr("data-state"));
    assertFalse(cell(doc, "b1", "2026-W03").hasAttr("data-state"));
    assertEquals("unverified", cell(doc, "b1", "2026-W04").attr("data-state"));
    assertEquals("failed", cell(doc, "b2", "2026-W02").attr("data-state"));
    assertEquals("verify-problem", cell(doc, "b2", "2026-W03").attr("data-state"));
    assertEquals("in-progress", cell(doc, "b2", "2026-W04").attr("data-state"));
    assertEquals("failed", cell(doc, HOSTILE, "2026-W01").attr("data-state"));
    assertTrue(cell(doc, "b1", "2026-W02").attr("title").contains("1,234,567 rows archived"));
    assertTrue(cell(doc, "b2", "2026-W02").attr("title").contains("store down"));
    assertTrue(cell(doc, "b2", "2026-W03").attr("title").contains("MISMATCH: sha256 differs"));

    // the legend counts each state; the verify section lists the problem
    assertEquals("1", doc.select("li[data-legend=verify-problem] strong").text());
    assertEquals("2", doc.select("li[data-legend=failed] strong").text());
    assertEquals("3", doc.select("[data-verify=ok]").text());
    assertEquals("1", doc.select("[data-verify=problems]").text());
    assertEquals(1, doc.select("#verify tr.problem").size());
    assertEquals("free", doc.select("[data-lease]").attr("data-lease"));
  }

  @Test
  void valuesAreEscapedAndThePageLoadsNothing() {
    String html = StatusPage.render(
        snapshot(List.of(row(HOSTILE, "2026-W01", ArchiveStatus.FAILED, null, null, null, HOSTILE)), List.of(), null), 30);
    assertFalse(html.contains("<script"), "a value reached the page unescaped");
    Document doc = Jsoup.parse(html);
    assertTrue(doc.select("script").isEmpty());
    // the hostile batch id is there as text, whole
    assertEquals(HOSTILE, doc.select("#grid tbody tr").attr("data-batch"));
    // nothing refers outside the page, and the policy forbids it
    for (Element e : doc.select("[src], link[href]")) {
      String ref = e.hasAttr("src") ? e.attr("src") : e.attr("href");
      assertTrue(ref.startsWith("data:"), "refers outside the page: " + e);
    }
    assertTrue(doc.select("meta[http-equiv=Content-Security-Policy]").attr("content").startsWith("default-src 'none'"));
    assertEquals("30", doc.select("meta[http-equiv=refresh]").attr("content"));
    // a written page (no refresh) does not reload itself
    assertTrue(Jsoup.parse(StatusPage.render(snapshot(List.of(), List.of(), null), 0))
        .select("meta[http-equiv=refresh]").isEmpty());
  }

  @Test
  void aJobIsATimelineOfItsStates() {
    Instant t0 = NOW.minus(Duration.ofMinutes(10));
    Jobs.JobRow job = new Jobs.JobRow("job-1", "delete", "t", "ks.tbl", "{}", JobState.COMPLETED_WITH_FAILURES, 1,
        t0, NOW, t0.plusSeconds(125), 3, 1, 0, 3, "partition b2/2026-W02 failed", "host");
    List<Jobs.Transition> ts = List.of(
        new Jobs.Transition(1, JobState.QUEUED, t0, null),
        new Jobs.Transition(2, JobState.DELETING, t0.plusSeconds(5), null),
        new Jobs.Transition(3, JobState.CLEANUP, t0.plusSeconds(120), null),
        new Jobs.Transition(4, JobState.COMPLETED_WITH_FAILURES, t0.plusSeconds(125), "1 failed"));
    Jobs.JobRow running = new Jobs.JobRow("job-2", "archive", "t", "ks.tbl", "{}", JobState.ARCHIVING, 1,
        NOW.minusSeconds(30), NOW, null, null, null, null, null, null, "host");
    Leases.Holder lease = new Leases.Holder("job-2", "host 1", NOW.minusSeconds(30), NOW.plusSeconds(60));
    Document doc = Jsoup.parse(StatusPage.render(snapshot(List.of(),
        List.of(new StatusSnapshot.JobHistory(running, List.of(new Jobs.Transition(1, JobState.ARCHIVING, NOW.minusSeconds(30), null))),
            new StatusSnapshot.JobHistory(job, ts)), lease), 0));
    Element row = doc.selectFirst("tr.job[data-job=job-1]");
    assertNotNull(row);
    assertEquals("COMPLETED_WITH_FAILURES", row.attr("data-state"));
    assertEquals(List.of("QUEUED", "DELETING", "CLEANUP", "COMPLETED_WITH_FAILURES"),
        row.select(".timeline span").eachAttr("title").stream().map(t -> t.substring(0, t.indexOf(' '))).toList());
    // each stretch is as wide as its time: DELETING (115 s) 23 times QUEUED (5 s)
    List<String> grow = new ArrayList<>();
    for (Element s : row.select(".timeline span")) {
      grow.add(s.attr("style"));
    }
    assertEquals(List.of("flex-grow: 5000", "flex-grow: 115000", "flex-grow: 5000", "flex-grow: 1"), grow);
    assertTrue(row.text().contains("2 min 5 s"), row.text());
    assertTrue(row.text().contains("partition b2/2026-W02 failed"));
    assertTrue(doc.selectFirst("tr.job[data-job=job-2]").text().contains("running for 30 s"));
    assertEquals("held", doc.select("[data-lease]").attr("data-lease"));
    assertTrue(doc.select("#no-partitions").text().contains("period ALL"));
  }

  @Test
  void partitionsYearsApartShowOnlyTheirWeeks() {
    List<LedgerRow> rows = List.of(
        row("b1", "1999-W52", ArchiveStatus.SUCCESS, null, "OK", 1L, null),
        row("b1", "2026-W48", ArchiveStatus.SUCCESS, null, "OK", 1L, null),
        row("b1", "2026-W49", ArchiveStatus.SUCCESS, null, "OK", 1L, null));
    Document doc = Jsoup.parse(StatusPage.render(snapshot(rows, List.of(), null), 0));
    assertEquals(3, doc.select("#grid td.cell").size());
    assertTrue(doc.select("#partitions .note").text().contains("only the 3 weeks that have partitions"));
    // and years head their weeks: 1999 over one column, 2026 over two
    assertEquals(Map.of("1999", "1", "2026", "2"), Map.of(
        doc.select("#grid thead tr:eq(0) th[colspan]").get(0).text(), doc.select("#grid thead tr:eq(0) th[colspan]").get(0).attr("colspan"),
        doc.select("#grid thead tr:eq(0) th[colspan]").get(1).text(), doc.select("#grid thead tr:eq(0) th[colspan]").get(1).attr("colspan")));
  }

  @Test
  void aGridOfManyBatchesShowsTheFirstThousandAndCountsThemAll() {
    List<LedgerRow> rows = new ArrayList<>();
    for (int b = 0; b < 1500; b++) {
      rows.add(row(String.format("b%04d", b), "2026-W01", ArchiveStatus.SUCCESS, null, null, 1L, null));
    }
    Document doc = Jsoup.parse(StatusPage.render(snapshot(rows, List.of(), null), 0));
    assertEquals(1000, doc.select("#grid tbody tr").size());
    assertEquals("b0999", doc.select("#grid tbody tr").last().attr("data-batch"));
    assertTrue(doc.select("#partitions .note").text().contains("Showing the first 1000 of 1500 batches"));
    assertEquals("1500", doc.select("li[data-legend=unverified] strong").text());
  }

  static Element cell(Document doc, String batch, String week) {
    for (Element tr : doc.select("#grid tbody tr")) {
      if (tr.attr("data-batch").equals(batch)) {
        Element td = tr.selectFirst("td[data-week=" + week + "]");
        assertNotNull(td, batch + " " + week);
        return td;
      }
    }
    throw new AssertionError("no row for batch " + batch);
  }
}
