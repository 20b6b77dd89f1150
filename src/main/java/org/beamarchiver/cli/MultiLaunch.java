package org.beamarchiver.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.beamarchiver.options.TableSpecOptions;
import org.beamarchiver.spec.SpecUnit;
import org.beamarchiver.spec.TableSpecException;
import org.beamarchiver.spec.TableSpecLoader;

/**
 * A launch of one command over several jobs: the tables of a comma list or a folder of specs, and
 * the storages of specs with lifecycles. Each job is the command run on one unit ({@code
 * --tableSpec=<file>} or {@code <file>#<lifecycle>/<storage>}), with its own job record and lease.
 * Tables run in parallel; a table's lifecycles run in their order, equal orders in parallel, and
 * a job that does not end with exit 0 keeps the table's higher orders from starting. Progress
 * lines are shown as they come, tagged with the job; each job's summary is printed whole when it
 * ends; the launch ends with a table of every job and exits with the worst of their exit codes.
 */
final class MultiLaunch {
  /** Exit codes from the best to the worst, for the launch's one code. */
  static final List<ExitCode> SEVERITY =
      List.of(ExitCode.OK, ExitCode.PARTIAL, ExitCode.INTEGRITY, ExitCode.BUSY, ExitCode.REFUSED, ExitCode.USAGE, ExitCode.FAILURE);

  /** Commands that write one named output (a report file, a run file), so work on one table at a time. */
  static final List<String> ONE_TABLE = List.of("report", "plan", "serve");

  private MultiLaunch() {}

  /** What one job of the launch did. */
  record Result(SpecUnit unit, Integer exit, String note) {}

  /**
   * The units --tableSpec names when it names more than one job (several specs, a folder, a spec
   * with lifecycles, or --lifecycle/--storage); null when it names one table the plain way.
   */
  static List<SpecUnit> units(TableSpecOptions o, String command) {
    String spec = o.getTableSpec();
    boolean several = spec.contains(",") || Files.isDirectory(Path.of(spec));
    if (!several && "plan".equals(command)) {
      return null; // one plan file, of the whole spec: the storages in order
    }
    if (!several && o.getLifecycle() == null && o.getStorage() == null) {
      Path p = Path.of(spec);
      if (!Files.isRegularFile(p) || TableSpecLoader.loadUnits(p).get(0).lifecycle() == null) {
        return null; // one table, or one storage named with '#': the command itself serves it
      }
    }
    if (ONE_TABLE.contains(command)
        || ("status".equals(command) && o instanceof org.beamarchiver.options.StatusOptions so && so.getHtml() != null)) {
      throw new IllegalArgumentException(
          command + ("status".equals(command) ? " --html" : "")
              + " writes one output and works on one table at a time: give --tableSpec one spec (or spec.yaml#lifecycle/storage)");
    }
    List<Path> files = new ArrayList<>();
    for (String part : spec.split(",")) {
      String s = part.trim();
      if (s.isEmpty()) {
        continue;
      }
      Path p = Path.of(s);
      if (Files.isDirectory(p)) {
        try (Stream<Path> in = Files.list(p)) {
          List<Path> specs =
              in.filter(f -> Files.isRegularFile(f) && (f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")))
                  .sorted()
                  .toList();
          if (specs.isEmpty()) {
            throw new TableSpecException(p + ": the folder holds no table spec (*.yaml, *.yml) (--tableSpec)");
          }
          files.addAll(specs);
        } catch (IOException e) {
          throw new TableSpecException(p + ": cannot list the folder: " + e.getMessage());
        }
      } else {
        files.add(p);
      }
    }
    List<SpecUnit> units = new ArrayList<>();
    for (Path f : files.stream().map(x -> x.toAbsolutePath().normalize()).distinct().toList()) {
      List<SpecUnit> of = TableSpecLoader.loadUnits(f);
      boolean lifecycles = of.get(0).lifecycle() != null;
      if (!lifecycles && (o.getLifecycle() != null || o.getStorage() != null)) {
        throw new TableSpecException(f + " has no lifecycles (--lifecycle, --storage)");
      }
      if (lifecycles && "restore".equals(command) && o.getLifecycle() == null) {
        throw new TableSpecException(
            f + " has lifecycles: a restore names the one it restores with --lifecycle=<name> (one of "
                + of.stream().map(SpecUnit::lifecycle).distinct().toList() + ")");
      }
      List<SpecUnit> chosen = SpecUnit.select(of, o.getLifecycle(), o.getStorage(), f);
      units.addAll(chosen);
    }
    return units;
  }

  /** Runs every unit's job, as described above; returns the launch's exit code. */
  static int run(Command<?> command, List<String> rest, List<SpecUnit> units, PrintStream out) {
    Map<String, List<SpecUnit>> byTable = new LinkedHashMap<>();
    for (SpecUnit u : units) {
      byTable.computeIfAbsent(u.file(), f -> new ArrayList<>()).add(u);
    }
    out.println(
        "[beam-archiver] " + command.name() + ": " + units.size() + " job(s) over " + byTable.size() + " table spec(s), the"
            + " tables in parallel, each table's lifecycles in their order");
    Map<SpecUnit, Result> results = new ConcurrentHashMap<>();
    List<CompletableFuture<Void>> tables = new ArrayList<>();
    for (List<SpecUnit> table : byTable.values()) {
      tables.add(CompletableFuture.runAsync(() -> runTable(command, rest, table, out, results), r -> new Thread(r, "launch").start()));
    }
    tables.forEach(CompletableFuture::join);

    out.println();
    out.println("Launch summary  " + command.name() + "  " + units.size() + " job(s)");
    Table t = new Table("table", "lifecycle", "storage", "order", "exit", "result");
    ExitCode worst = ExitCode.OK;
    for (SpecUnit u : units) {
      Result r = results.get(u);
      ExitCode code = r.exit() == null ? null : of(r.exit());
      if (code != null && SEVERITY.indexOf(code) > SEVERITY.indexOf(worst)) {
        worst = code;
      }
      t.add(
          u.spec().qualifiedTable(), u.lifecycle() == null ? "" : u.lifecycle(), u.storage() == null ? "" : u.storage(),
          u.lifecycle() == null ? "" : Integer.toString(u.order()), r.exit() == null ? "-" : r.exit().toString(), r.note());
    }
    t.print(out);
    out.println("  exit code: " + worst.code + (units.size() > 1 ? " (the worst of the jobs')" : ""));
    return worst.code;
  }

  private static void runTable(Command<?> command, List<String> rest, List<SpecUnit> units, PrintStream out, Map<SpecUnit, Result> results) {
    TreeMap<Integer, List<SpecUnit>> byOrder = new TreeMap<>();
    units.forEach(u -> byOrder.computeIfAbsent(u.order(), k -> new ArrayList<>()).add(u));
    String stoppedBy = null;
    for (List<SpecUnit> group : byOrder.values()) {
      if (stoppedBy != null) {
        for (SpecUnit u : group) {
          results.put(u, new Result(u, null, "NOT STARTED: " + stoppedBy));
        }
        continue;
      }
      List<CompletableFuture<Result>> running = new ArrayList<>();
      for (SpecUnit u : group) {
        running.add(CompletableFuture.supplyAsync(() -> runUnit(command, rest, u, out), r -> new Thread(r, "job").start()));
      }
      for (CompletableFuture<Result> f : running) {
        Result r = f.join();
        results.put(r.unit(), r);
        if (r.exit() != 0 && stoppedBy == null && r.unit().lifecycle() != null) {
          stoppedBy = "lifecycle " + r.unit().lifecycle() + " (order " + r.unit().order() + ") ended with exit " + r.exit();
        }
      }
    }
  }

  private static Result runUnit(Command<?> command, List<String> rest, SpecUnit u, PrintStream out) {
    List<String> args = new ArrayList<>();
    for (String a : rest) {
      if (!a.startsWith("--tableSpec=") && !a.startsWith("--lifecycle=") && !a.startsWith("--storage=")) {
        args.add(a);
      }
    }
    args.add("--tableSpec=" + u.selector());
    JobOutput job = new JobOutput(u.spec().archiveType(), out);
    int code;
    try (PrintStream ps = new PrintStream(job, true, StandardCharsets.UTF_8)) {
      code = Main.execute(command, args, ps, ps);
    }
    synchronized (out) {
      out.println();
      out.println("== " + u.describe() + ": exit " + code + " ==");
      out.print(job.summary());
      out.flush();
    }
    String note = code == 0 ? "OK" : of(code).name();
    return new Result(u, code, note);
  }

  private static ExitCode of(int code) {
    for (ExitCode c : ExitCode.values()) {
      if (c.code == code) {
        return c;
      }
    }
    return ExitCode.FAILURE;
  }

  /**
   * One job's output: its progress lines ({@code [beam-archiver] ...}) go out as they come, tagged
   * with the job; everything else (its summary, its errors) is kept and printed whole at its end.
   */
  static final class JobOutput extends OutputStream {
    private final String tag;
    private final PrintStream out;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final StringBuilder summary = new StringBuilder();

    JobOutput(String tag, PrintStream out) {
      this.tag = tag;
      this.out = out;
    }

    @Override
    public synchronized void write(int b) {
      if (b == '\n') {
        String l = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (l.startsWith("[beam-archiver] ")) {
          synchronized (out) {
            out.println("[" + tag + "] " + l.substring("[beam-archiver] ".length()));
          }
        } else {
          summary.append(l).append('\n');
        }
      } else {
        line.write(b);
      }
    }

    synchronized String summary() {
      if (line.size() > 0) {
        summary.append(line.toString(StandardCharsets.UTF_8)).append('\n');
        line.reset();
      }
      return summary.toString();
    }
  }
}
