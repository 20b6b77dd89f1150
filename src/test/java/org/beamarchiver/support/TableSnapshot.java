package org.beamarchiver.support;

import com.datastax.driver.core.ConsistencyLevel;
import com.datastax.driver.core.Row;
import com.datastax.driver.core.Session;
import com.datastax.driver.core.SimpleStatement;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.beamarchiver.model.IsoWeek;

/**
 * Every row of an assessment table, read at consistency ALL (every replica answers, so a replica
 * that missed a write while it was down cannot hide it): each row's whole JSON by its primary key,
 * with the partition (batch, ISO week of {@code updated_on}) an archive puts it in.
 *
 * @param rows by primary key ({@code user_id|course_id|batch_id|content_id|attempt_id})
 */
public record TableSnapshot(Map<String, Entry> rows) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One row: its JSON, and its archive partition ({@code period} null when it has no time). */
  public record Entry(String json, String batchId, String period) {}

  public static TableSnapshot read(Session session, String keyspace) {
    Map<String, Entry> rows = new TreeMap<>();
    SimpleStatement all =
        new SimpleStatement("SELECT JSON * FROM " + keyspace + ".assessment_aggregator");
    all.setConsistencyLevel(ConsistencyLevel.ALL).setFetchSize(2000);
    for (Row r : session.execute(all)) {
      String json = r.getString(0);
      try {
        JsonNode n = JSON.readTree(json);
        String key =
            String.join(
                "|", n.get("user_id").asText(), n.get("course_id").asText(), n.get("batch_id").asText(),
                n.get("content_id").asText(), n.get("attempt_id").asText());
        JsonNode t = n.get("updated_on");
        String period =
            t == null || t.isNull()
                ? null
                : IsoWeek.of(Instant.parse(t.asText().replace(' ', 'T').replaceFirst("Z$", "").replaceFirst("$", "Z"))).toString();
        rows.put(key, new Entry(json, n.get("batch_id").asText(), period));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new TableSnapshot(rows);
  }

  /** Rows of partitions that an archive run as of {@code asOf} archives (complete weeks). */
  public long archivable(Instant asOf) {
    String current = IsoWeek.of(asOf).toString();
    return rows.values().stream().filter(e -> e.period() != null && e.period().compareTo(current) < 0).count();
  }

  /** Per partition ("batch period"), how many rows it has. */
  public Map<String, Long> partitionCounts(Instant asOf) {
    String current = IsoWeek.of(asOf).toString();
    Map<String, Long> out = new TreeMap<>();
    rows.values().stream()
        .filter(e -> e.period() != null && e.period().compareTo(current) < 0)
        .forEach(e -> out.merge(e.batchId() + " " + e.period(), 1L, Long::sum));
    return out;
  }

  /** How the live table compares with this snapshot of its original rows. */
  public record Comparison(long present, long deleted, List<String> lost, List<String> mutilated, List<String> extra) {
    public boolean clean() {
      return lost.isEmpty() && mutilated.isEmpty() && extra.isEmpty();
    }

    @Override
    public String toString() {
      return present + " present, " + deleted + " deleted with a verified archive, " + lost.size() + " lost "
          + first(lost) + ", " + mutilated.size() + " mutilated " + first(mutilated) + ", " + extra.size()
          + " unknown " + first(extra);
    }

    private static String first(List<String> l) {
      return l.isEmpty() ? "" : "(first: " + l.get(0) + ")";
    }
  }

  /**
   * Each original row must be in {@code now} exactly as it was, or absent while its partition is
   * archived: {@code archived} ("batch period" of partitions whose SUCCESS archive holds exactly
   * their rows). A row present but different is mutilated; absent without an archive, lost.
   */
  public Comparison compare(TableSnapshot now, Set<String> archived) {
    long present = 0;
    long deleted = 0;
    List<String> lost = new ArrayList<>();
    List<String> mutilated = new ArrayList<>();
    for (Map.Entry<String, Entry> e : rows.entrySet()) {
      Entry live = now.rows().get(e.getKey());
      if (live == null) {
        Entry was = e.getValue();
        if (was.period() != null && archived.contains(was.batchId() + " " + was.period())) {
          deleted++;
        } else {
          lost.add(e.getKey());
        }
      } else if (live.json().equals(e.getValue().json())) {
        present++;
      } else {
        mutilated.add(e.getKey() + ": " + live.json());
      }
    }
    List<String> extra = new ArrayList<>();
    for (String k : now.rows().keySet()) {
      if (!rows.containsKey(k)) {
        extra.add(k);
      }
    }
    return new Comparison(present, deleted, lost, mutilated, extra);
  }
}
