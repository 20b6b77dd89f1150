package org.beamarchiver.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns bench.sh's results.tsv into BENCHMARKS.md: per size, medians over rounds of rows/s, client
 * CPU-seconds per million rows, Cassandra CPU, peak RSS, and the ratios the design targets.
 */
public final class BenchReport {
  private BenchReport() {}

  record Step(double rows, double wall, double cpu, double rssMb, double cassCpu) {
    double rate() {
      return rows / wall;
    }

    double cpuPerMillion() {
      return cpu / rows * 1e6;
    }

    double cassCpuPerMillion() {
      return cassCpu / rows * 1e6;
    }
  }

  public static void main(String[] args) throws IOException {
    List<String> lines = Files.readAllLines(Paths.get(args[0]));
    // size -> step -> rounds
    Map<Long, Map<String, List<Step>>> data = new TreeMap<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split("\t");
      Step s =
          new Step(
              Double.parseDouble(f[3]),
              Double.parseDouble(f[4]),
              Double.parseDouble(f[5]) + Double.parseDouble(f[6]),
              Double.parseDouble(f[7]) / 1024,
              Double.parseDouble(f[8]));
      data.computeIfAbsent(Long.parseLong(f[0]), k -> new LinkedHashMap<>())
          .computeIfAbsent(f[2], k -> new ArrayList<>())
          .add(s);
    }
    StringBuilder md = new StringBuilder();
    md.append("# Benchmarks\n\n");
    md.append("Produced by `bash src/scripts/bench.sh` on ")
        .append(LocalDate.now())
        .append(": ")
        .append(Runtime.getRuntime().availableProcessors())
        .append(" cores, ")
        .append(
            ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getTotalMemorySize()
                / (1 << 30))
        .append(" GiB memory, one Cassandra 5.0 sharing the cores with the client; every client JVM")
        .append(" (peers included) ran with -Xmx")
        .append(args.length > 2 ? args[2] : "(JVM default)")
        .append(", so peak RSS shows what a run needs rather than how far the collector let the heap grow. ")
        .append("Whole-process rows/s; CPU = client user+sys seconds per million rows; ")
        .append("Cassandra CPU = server CPU-seconds during the step; medians over rounds.\n\n");
    for (Map.Entry<Long, Map<String, List<Step>>> e : data.entrySet()) {
      md.append("## ").append(String.format("%,d", e.getKey())).append(" rows\n\n");
      List<Step> scans = e.getValue().get("a_raw_scan");
      if (scans != null) {
        md.append(
            String.format(
                "Machine: %d cores; the raw driver scan read %,.0f rows/s in this run (ratios move with the"
                    + " machine: compare a table's rows with its own raw scan).%n%n",
                Runtime.getRuntime().availableProcessors(), median(scans).rate()));
      }
      md.append("| step | rows | rows/s | client CPU-s / 1M rows | Cassandra CPU-s | peak RSS MB | rounds |\n");
      md.append("|---|---:|---:|---:|---:|---:|---:|\n");
      Map<String, Step> med = new LinkedHashMap<>();
      for (Map.Entry<String, List<Step>> s : e.getValue().entrySet()) {
        Step m = median(s.getValue());
        med.put(s.getKey(), m);
        md.append(
            String.format(
                "| %s | %,.0f | %,.0f | %.1f | %.1f | %.0f | %d |%n",
                s.getKey(), m.rows(), m.rate(), m.cpuPerMillion(), m.cassCpu(), m.rssMb(), s.getValue().size()));
      }
      md.append("\nRatios (target in brackets):\n\n");
      ratio(md, med, "c_archive_direct", "b_dsbulk_unload", "archive (Direct) / DSBulk rows/s", "≥ 1.2", false);
      ratio(md, med, "c_archive_direct", "b_dsbulk_unload", "archive (Direct) / DSBulk CPU per row", "≤ 0.8", true);
      ratio(md, med, "d_archive_flink", "b_dsbulk_unload", "archive (Flink) / DSBulk rows/s", "≥ 1.2", false);
      ratio(md, med, "d_archive_flink", "b_dsbulk_unload", "archive (Flink) / DSBulk CPU per row", "≤ 0.8", true);
      ratio(md, med, "c_archive_direct", "a2_minimal_archiver", "archive (Direct) / minimal archiver rows/s", "≥ 0.9", false);
      ratio(md, med, "d_archive_flink", "a2_minimal_archiver", "archive (Flink) / minimal archiver rows/s", "≥ 0.9", false);
      ratio(md, med, "p_archive_parquet", "c_archive_direct", "archive as Parquet / as CSV rows/s", "-", false);
      ratio(md, med, "p_archive_parquet", "p0_archive_parquet_baseline", "archive as Parquet / the baseline jar's Parquet rows/s", "≥ 0.9", false);
      ratio(md, med, "p_archive_parquet", "p0_archive_parquet_baseline", "archive as Parquet / the baseline jar's Parquet CPU per row", "-", true);
      ratio(md, med, "c_archive_direct", "a_raw_scan", "archive (Direct) / raw scan rows/s", "the limit", false);
      ratio(md, med, "e_delete_verified", "f_raw_delete", "verified delete / raw deletes rows/s", "≥ 0.5", false);
      ratio(md, med, "e_delete_verified", "f_raw_delete", "verified delete / raw deletes client CPU per row", "≤ 2", true);
      if (med.containsKey("e_delete_verified") && med.containsKey("f_raw_delete")) {
        md.append(
            String.format(
                "- verified delete / raw deletes Cassandra CPU per row: **%.2f** [≤ 1.5]%n",
                med.get("e_delete_verified").cassCpuPerMillion() / med.get("f_raw_delete").cassCpuPerMillion()));
      }
      ratio(md, med, "t_archive_after_mass_delete", "c_archive_direct", "archive after mass delete / normal (table rows/s)", "≥ 0.5", false);
      md.append("\n");
    }
    if (data.size() >= 2) {
      List<Long> sizes = new ArrayList<>(data.keySet());
      long small = sizes.get(0);
      long big = sizes.get(sizes.size() - 1);
      md.append("## Memory at two sizes\n\n| archive run | peak RSS ")
          .append(String.format("%,d", small))
          .append(" | peak RSS ")
          .append(String.format("%,d", big))
          .append(" | ratio [target ≤ 1.1] |\n|---|---:|---:|---:|\n");
      for (String step : List.of("c_archive_direct", "d_archive_flink", "e_delete_verified")) {
        List<Step> a = data.get(small).get(step);
        List<Step> b = data.get(big).get(step);
        if (a != null && b != null) {
          md.append(
              String.format(
                  "| %s | %.0f MB | %.0f MB | %.2f |%n",
                  step, median(a).rssMb(), median(b).rssMb(), median(b).rssMb() / median(a).rssMb()));
        }
      }
    }
    Files.writeString(Path.of(args[1]), md.toString());
    System.out.print(md);
  }

  private static void ratio(
      StringBuilder md, Map<String, Step> m, String a, String b, String label, String target, boolean cpu) {
    if (!m.containsKey(a) || !m.containsKey(b)) {
      return;
    }
    double v =
        cpu ? m.get(a).cpuPerMillion() / m.get(b).cpuPerMillion() : m.get(a).rate() / m.get(b).rate();
    md.append(String.format("- %s: **%.2f** [%s]%n", label, v, target));
  }

  private static Step median(List<Step> steps) {
    List<Step> s = new ArrayList<>(steps);
    s.sort((x, y) -> Double.compare(x.rate(), y.rate()));
    return s.get(s.size() / 2);
  }
}
