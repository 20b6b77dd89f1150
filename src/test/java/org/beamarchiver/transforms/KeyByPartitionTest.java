package org.beamarchiver.transforms;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.beamarchiver.model.ArchiveRequest;
import org.beamarchiver.model.DeadLetter;
import org.beamarchiver.model.PartitionKey;
import org.beamarchiver.model.WeekSelection;
import org.beamarchiver.model.RowLayout;
import org.beamarchiver.model.SourceRow;
import org.beamarchiver.model.SourceRowCoder;
import org.junit.Rule;
import org.junit.Test;

public class KeyByPartitionTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  static final RowLayout LAYOUT =
      new RowLayout(
          List.of("user_id", "batch_id", "attempt_id", "updated_on"),
          List.of("text", "text", "text", "timestamp"),
          new int[] {0, 1, 2},
          1,
          3,
          0);

  static SourceRow row(String user, String batch, String attempt, String time) {
    long t = time == null ? SourceRow.NO_TIME : Instant.parse(time).toEpochMilli();
    return new SourceRow(new String[] {user, batch, attempt, time}, t, 1_000_000L);
  }

  @Test
  public void keysByBatchAndUtcIsoWeekAndSendsUnkeyableRowsToDeadLetters() {
    ArchiveRequest request =
        ArchiveRequest.resolve(
            WeekSelection.ALL, null, null, Instant.parse("2021-01-13T00:00:00Z"), List.of());
    List<SourceRow> rows = new ArrayList<>();
    rows.add(row("u1", "b1", "a1", "2015-12-31T10:00:00Z")); // 2015-W53
    rows.add(row("u2", "b1", "a1", "2016-01-03T23:59:59Z")); // 2015-W53
    rows.add(row("u3", "b1", "a1", "2016-01-04T00:00:00Z")); // 2016-W01
    rows.add(row("u4", "b2", "a1", "2021-01-03T12:00:00Z")); // 2020-W53
    rows.add(row("u5", "b2", "a1", "2021-01-12T12:00:00Z")); // current week: dropped
    rows.add(row("u6", "b2", "a1", null)); // dead letter
    rows.add(row("u7", "", "a1", "2020-01-01T00:00:00Z")); // dead letter
    rows.add(row("u8", "b3", "a1", "2020-06-01T00:00:00Z")); // already archived
    PCollectionTuple out =
        p.apply("Rows", Create.of(rows).withCoder(SourceRowCoder.of()))
            .apply(
                "KeyByPartition",
                new KeyByPartition(
                    LAYOUT, request, Set.of(new PartitionKey("b3", 2020, 23))));
    PAssert.that(
            out.get(KeyByPartition.KEYED)
                .apply(
                    "PartitionNames",
                    MapElements.into(TypeDescriptors.strings())
                        .via(kv -> kv.getKey().toString())))
        .containsInAnyOrder("b1/2015-W53", "b1/2015-W53", "b1/2016-W01", "b2/2020-W53");
    PAssert.that(
            out.get(KeyByPartition.DEAD_LETTER)
                .apply(
                    "Reasons",
                    MapElements.into(TypeDescriptors.strings()).via(DeadLetter::reason)))
        .containsInAnyOrder(
            "null time column 'updated_on'", "empty or null batch column 'batch_id'");
    p.run().waitUntilFinish();
  }

  @Test
  public void payloadRoundTripsTimeCollectionAndLine() {
    SourceRow r = row("u1", "b1", "a,1\"x", "2015-12-31T10:00:00Z");
    String line = KeyByPartition.csvLine(r);
    assertEquals("\"u1\",\"b1\",\"a,1\"\"x\",\"2015-12-31T10:00:00Z\",\"1000000\"\n", line);
    SourceRow withNull = new SourceRow(new String[] {"u1", "", null, "t"}, 5, SourceRow.NO_WRITE_TIME);
    assertEquals("\"u1\",\"\",,\"t\",\n", KeyByPartition.csvLine(withNull));
    KeyByPartition.Payload p =
        KeyByPartition.Payload.decode(
            KeyByPartition.Payload.encode(42L, "course", new String[] {"user é", null, "1.5"}, line));
    assertEquals(42L, p.timeMillis);
    assertEquals("course", p.collection);
    org.junit.Assert.assertArrayEquals(new String[] {"user é", null, "1.5"}, p.rollup);
    assertTrue(new String(p.line(), java.nio.charset.StandardCharsets.UTF_8).equals(line));
    KeyByPartition.Payload q =
        KeyByPartition.Payload.decode(KeyByPartition.Payload.encode(-1L, null, new String[0], line));
    assertEquals(null, q.collection);
    assertEquals(0, q.rollup.length);
    assertTrue(new String(q.line(), java.nio.charset.StandardCharsets.UTF_8).equals(line));
    assertEquals(-1L, q.timeMillis);
  }
}
