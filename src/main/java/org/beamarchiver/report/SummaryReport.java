package org.beamarchiver.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.beam.sdk.io.FileSystems;
import org.beamarchiver.io.format.CsvLines;
import org.beamarchiver.io.source.Family;
import org.beamarchiver.spec.TableSpec;
import org.beamarchiver.spec.TableSpec.Aggregate;

/**
 * The summaries report of a batch ({@code report --summaries}): one row per parent of the batch,
 * a live one with its aggregates computed over its live family and an archived and deleted one
 * with the summary row its delete left, then the batch's totals over both: counts and sums added,
 * minimums and maximums of both, histograms added bin by bin. What the pages of a system whose
 * details are archived show: the totals do not move when a family is archived and deleted.
 */
final class SummaryReport {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The state column's values. */
  static final String LIVE = "live";
  static final String ARCHIVED = "archived";
  static final String TOTAL = "total";

  private SummaryReport() {}

  /** Writes the report to {@code output}; {live parents, archived parents}. */
  static long[] write(TableSpec spec, Family family, String batchId, String output, Consumer<String> notes)
      throws IOException {
    List<Aggregate> aggregates = spec.summary().aggregates();
    int copied = spec.summary().copySummary().size();
    List<String> header = new ArrayList<>(List.of("_state"));
    header.addAll(family.summaryHeader());
    Totals totals = new Totals(aggregates);
    long[] counts = {0, 0};
    try (Writer out =
        new OutputStreamWriter(
            Channels.newOutputStream(FileSystems.create(FileSystems.matchNewResource(output, false), "text/csv")),
            StandardCharsets.UTF_8)) {
      out.write(CsvLines.line(header.toArray()));
      family.readSummaries(
          batchId,
          (live, values) -> {
            Object[] line = new Object[values.length + 1];
            line[0] = live ? LIVE : ARCHIVED;
            System.arraycopy(values, 0, line, 1, values.length);
            out.write(CsvLines.line(line));
            totals.add(values, copied);
            counts[live ? 0 : 1]++;
          });
      Object[] total = new Object[header.size()];
      total[0] = TOTAL;
      String[] t = totals.values();
      System.arraycopy(t, 0, total, 1 + copied, t.length);
      out.write(CsvLines.line(total));
    }
    notes.accept(
        "summarised " + counts[0] + " live and " + counts[1] + " archived parent(s) of batch " + batchId + "; totals: "
            + totals.describe());
    return counts;
  }

  /** The batch's totals, aggregate by aggregate. */
  static final class Totals {
    private final List<Aggregate> aggregates;
    private final Object[] acc;

    Totals(List<Aggregate> aggregates) {
      this.aggregates = aggregates;
      this.acc = new Object[aggregates.size()];
    }

    void add(String[] values, int from) throws IOException {
      for (int i = 0; i < aggregates.size(); i++) {
        String v = values[from + i];
        if (v == null) {
          continue;
        }
        TableSpec.AggregateOp op = aggregates.get(i).op();
        switch (op) {
          case count, sum -> acc[i] = acc[i] == null ? new BigDecimal(v) : ((BigDecimal) acc[i]).add(new BigDecimal(v));
          case min, max -> {
            int cmp = acc[i] == null ? 0 : compare(v, (String) acc[i]);
            if (acc[i] == null || (op == TableSpec.AggregateOp.min ? cmp < 0 : cmp > 0)) {
              acc[i] = v;
            }
          }
          case histogram -> {
            JsonNode bins = JSON.readTree(v);
            if (acc[i] == null) {
              acc[i] = new long[bins.size()];
            }
            long[] sum = (long[]) acc[i];
            for (int b = 0; b < Math.min(sum.length, bins.size()); b++) {
              sum[b] += bins.get(b).asLong();
            }
          }
        }
      }
    }

    /** Numbers compare as numbers, anything else (ISO times) as text. */
    private static int compare(String a, String b) {
      try {
        return new BigDecimal(a).compareTo(new BigDecimal(b));
      } catch (NumberFormatException e) {
        return a.compareTo(b);
      }
    }

    String[] values() {
      String[] out = new String[acc.length];
      for (int i = 0; i < acc.length; i++) {
        Object a = acc[i];
        if (a == null && (aggregates.get(i).op() == TableSpec.AggregateOp.count)) {
          out[i] = "0";
        } else if (a instanceof BigDecimal d) {
          out[i] = d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
        } else if (a instanceof long[] bins) {
          ArrayNode n = JSON.createArrayNode();
          for (long b : bins) {
            n.add(b);
          }
          out[i] = n.toString();
        } else {
          out[i] = (String) a;
        }
      }
      return out;
    }

    String describe() {
      String[] v = values();
      List<String> parts = new ArrayList<>();
      for (int i = 0; i < v.length; i++) {
        parts.add(aggregates.get(i).name() + "=" + v[i]);
      }
      return String.join(", ", parts);
    }
  }
}
