package org.beamarchiver.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.io.aws2.options.S3Options;
import org.apache.beam.sdk.io.azure.blobstore.DefaultBlobstoreClientBuilderFactory;
import org.apache.beam.sdk.io.azure.options.BlobstoreOptions;
import org.apache.beam.sdk.io.aws2.s3.DefaultS3ClientBuilderFactory;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.beamarchiver.io.store.AzureBlobClientFactory;
import org.beamarchiver.io.store.S3CompatibleClientFactory;
import org.beamarchiver.pipelines.Execution;
import org.beamarchiver.control.LeaseHeldException;
import org.beamarchiver.control.RefusedException;
import org.beamarchiver.spec.TableSpecException;
import org.beamarchiver.options.TableSpecOptions;
import org.beamarchiver.spec.SpecUnit;

/**
 * The one entry point: {@code java -jar beam-archiver.jar <command> --option=value ...}. Parses
 * the command and its options, runs it, prints a summary and exits with an {@link ExitCode}.
 * Arguments of the form {@code @file} are replaced by the file's lines (runner configs).
 */
public final class Main {
  private static final Map<String, Command<?>> COMMANDS = new LinkedHashMap<>();

  static {
    add(new ArchiveCommand());
    add(new PlanCommand());
    add(new DeleteCommand());
    add(new StatusCommand());
    add(new ServeCommand());
    add(new VerifyCommand());
    add(new RestoreCommand());
    add(new PurgeCommand());
    add(new ReportCommand());
    add(new SampleDataCommand());
  }

  private static void add(Command<?> c) {
    COMMANDS.put(c.name(), c);
  }

  private Main() {}

  /** Every command the product ships, in usage order. */
  static java.util.Collection<Command<?>> commands() {
    return java.util.Collections.unmodifiableCollection(COMMANDS.values());
  }

  public static void main(String[] args) {
    main(args, List.of());
  }

  /**
   * The entry point of a launcher outside the product that adds commands of its own after the
   * product's (the benchmark's plain-driver peers, which the shipped jar does not contain). An
   * extra command cannot replace one of the product's.
   */
  public static void main(String[] args, List<Command<?>> extra) {
    int code = run(args, System.out, System.err, extra);
    System.out.flush();
    System.err.flush();
    // The Cassandra driver and some runners leave non-daemon threads behind: exit explicitly.
    System.exit(code);
  }

  /** Runs a command and returns its exit code; never calls System.exit (tests use this). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, out, err, List.of());
  }

  /** {@link #run(String[], PrintStream, PrintStream)} with {@code extra} commands after the product's. */
  static int run(String[] args, PrintStream out, PrintStream err, List<Command<?>> extra) {
    Map<String, Command<?>> commands = new LinkedHashMap<>(COMMANDS);
    for (Command<?> c : extra) {
      if (commands.putIfAbsent(c.name(), c) != null) {
        throw new IllegalArgumentException("command '" + c.name() + "' is the product's own and cannot be replaced");
      }
    }
    if (args.length == 0 || isHelp(args[0])) {
      usage(args.length == 0 ? err : out, null, commands.values());
      return args.length == 0 ? ExitCode.USAGE.code : ExitCode.OK.code;
    }
    Command<?> command = commands.get(args[0]);
    if (command == null) {
      err.println("error: unknown command '" + args[0] + "'; valid commands: " + String.join(", ", commands.keySet()));
      usage(err, null, commands.values());
      return ExitCode.USAGE.code;
    }
    List<String> rest;
    try {
      rest = expandArgFiles(Arrays.asList(args).subList(1, args.length), otherCommandsOptions(command, commands.values()));
    } catch (IOException e) {
      err.println("error: cannot read argument file: " + e.getMessage());
      return ExitCode.USAGE.code;
    }
    if (rest.stream().anyMatch(Main::isHelp)) {
      usage(out, command);
      return ExitCode.OK.code;
    }
    return execute(command, rest, out, err);
  }

  /** Parses the options, then runs the command once, or once per job of a {@link MultiLaunch}. */
  static <T extends PipelineOptions> int execute(
      Command<T> command, List<String> rest, PrintStream out, PrintStream err) {
    T options;
    try {
      options = parse(command.optionsClass(), rest);
    } catch (IllegalArgumentException e) {
      err.println("error: " + culprit(command.optionsClass(), rest).map(a -> a + ": ").orElse("") + firstLine(e.getMessage()));
      usage(err, command);
      return ExitCode.USAGE.code;
    }
    try {
      if (options instanceof TableSpecOptions specs) {
        List<SpecUnit> units = MultiLaunch.units(specs, command.name());
        if (units != null) {
          return MultiLaunch.run(command, rest, units, out);
        }
      }
      ExitCode code = command.execute(options, out);
      if (code == ExitCode.PARTIAL) {
        tempSpaceHint(out);
        rerunHint(command, rest, null, out);
      }
      return code.code;
    } catch (TableSpecException e) {
      err.println("error: " + e.getMessage());
      return ExitCode.USAGE.code;
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return ExitCode.USAGE.code;
    } catch (LeaseHeldException e) {
      err.println("error: " + e.getMessage());
      return ExitCode.BUSY.code;
    } catch (RefusedException e) {
      err.println("error: " + e.getMessage());
      return ExitCode.REFUSED.code;
    } catch (Execution.PipelineFailedException e) {
      err.println("error: " + e.getMessage());
      tempSpaceHint(err);
      rerunHint(command, rest, e, err);
      return ExitCode.FAILURE.code;
    } catch (Exception | Error e) {
      // Errors too (out of memory): report and exit rather than leave the runner's threads alive.
      err.println("error: " + command.name() + " failed: " + describe(e));
      tempSpaceHint(err);
      rerunHint(command, rest, e, err);
      if (System.getenv("BEAM_ARCHIVER_DEBUG") != null) {
        e.printStackTrace(err);
      }
      return ExitCode.FAILURE.code;
    }
  }

  static <T extends PipelineOptions> T parse(Class<T> cls, List<String> args) {
    PipelineOptionsFactory.register(cls);
    List<String> all = new ArrayList<>(args);
    boolean direct =
        all.stream().noneMatch(a -> a.startsWith("--runner="))
            || all.stream().anyMatch(a -> a.equals("--runner=DirectRunner") || a.endsWith(".DirectRunner"));
    if (direct && all.stream().noneMatch(a -> a.startsWith("--blockOnRun"))) {
      // Lets the CLI poll live metrics for progress lines while the DirectRunner works.
      all.add("--blockOnRun=false");
    }
    if (direct && all.stream().noneMatch(a -> a.startsWith("--enforceImmutability"))) {
      // The DirectRunner's model checks re-encode every element (measured: ~30% of an archive's
      // CPU). They exist to catch DoFn bugs; the tests keep them on through TestPipeline.
      all.add("--enforceImmutability=false");
    }
    if (direct && all.stream().noneMatch(a -> a.startsWith("--enforceEncodability"))) {
      all.add("--enforceEncodability=false");
    }
    PipelineOptionsFactory.register(S3Options.class);
    PipelineOptionsFactory.register(BlobstoreOptions.class);
    T options = PipelineOptionsFactory.fromArgs(all.toArray(new String[0])).withValidation().as(cls);
    S3Options s3 = options.as(S3Options.class);
    if (s3.getS3ClientFactoryClass() == DefaultS3ClientBuilderFactory.class) {
      s3.setS3ClientFactoryClass(S3CompatibleClientFactory.class);
    }
    BlobstoreOptions azure = options.as(BlobstoreOptions.class);
    if (azure.getBlobstoreClientFactoryClass() == DefaultBlobstoreClientBuilderFactory.class) {
      azure.setBlobstoreClientFactoryClass(AzureBlobClientFactory.class);
    }
    return options;
  }

  /**
   * Replaces every {@code @file} argument by the file's options. An option given again in a later
   * file or on the command line replaces the earlier source's value ({@code @flink-cluster.args
   * --flinkMaster=host:8081}); within one source a repeated option stays repeated (list options).
   */
  static List<String> expandArgFiles(List<String> args) throws IOException {
    return expandArgFiles(args, java.util.Set.of());
  }

  /**
   * {@link #expandArgFiles(List)}, leaving out the options of an argument file that are {@code
   * foreign}: settings of the product's other commands that this one does not take ({@link
   * #SHARED_SETTINGS}). One file of a deployment's settings (a signing key, a webhook) then serves
   * every command; on the command line those options are still refused, and so is an unknown name
   * or an option that would change what a run does, from a file too.
   */
  static List<String> expandArgFiles(List<String> args, java.util.Set<String> foreign) throws IOException {
    List<String> out = new ArrayList<>();
    List<Integer> sourceOf = new ArrayList<>();
    int source = 0;
    for (String a : args) {
      List<String> from;
      int src;
      if (a.startsWith("@") && a.length() > 1) {
        from = new ArrayList<>();
        for (String line : Files.readAllLines(Paths.get(a.substring(1)))) {
          String l = line.strip();
          if (!l.isEmpty() && !l.startsWith("#")) {
            from.add(l);
          }
        }
        src = ++source;
      } else {
        from = List.of(a);
        src = 0; // the command line itself is one source
      }
      for (String option : from) {
        String name = optionName(option);
        if (src != 0 && name != null && foreign.contains(name)) {
          continue;
        }
        for (int i = out.size() - 1; name != null && i >= 0; i--) {
          if (sourceOf.get(i) != src && name.equals(optionName(out.get(i)))) {
            out.remove(i);
            sourceOf.remove(i);
          }
        }
        out.add(option);
        sourceOf.add(src);
      }
    }
    return out;
  }

  /**
   * Settings of a deployment that an argument file may hold for the commands that take them and
   * others ignore: keys, notifications, metrics, throttles, retries, formats, the page server. Never
   * an option that changes what a run does (a dry run, a force, a target, the period or batches, an
   * age): such an option from a file is refused by a command that does not take it, as on the
   * command line.
   */
  static final java.util.Set<String> SHARED_SETTINGS = java.util.Set.of(
      "signingKeyFile", "notifyUrl", "notifyOn", "metricsFile", "pushgatewayUrl",
      "maxDeletesPerSecond", "maxReadsPerSecond", "maxWritesPerSecond", "deleteConcurrency", "restoreConcurrency",
      "leaseSeconds", "waitForLeaseSeconds", "maxIterations", "maxRetries", "retryBackoffSeconds",
      "sortMemoryMb", "shuffle", "gzipLevel", "format", "recycleRoot", "runFileDir", "system",
      "cassandraSplits", "jdbcSplits", "port", "bind", "refreshSeconds", "jobs");

  /** The {@link #SHARED_SETTINGS} other commands take that {@code command} does not. */
  static java.util.Set<String> otherCommandsOptions(Command<?> command, java.util.Collection<Command<?>> all) {
    java.util.Set<String> own = optionNames(command.optionsClass());
    java.util.Set<String> other = new java.util.TreeSet<>();
    for (Command<?> c : all) {
      other.addAll(optionNames(c.optionsClass()));
    }
    other.removeAll(own);
    other.retainAll(SHARED_SETTINGS);
    return other;
  }

  /** The properties of an options interface (its getters, inherited ones too) by option name. */
  static java.util.Set<String> optionNames(Class<?> options) {
    java.util.Set<String> names = new java.util.TreeSet<>();
    for (java.lang.reflect.Method m : options.getMethods()) {
      String n = m.getName();
      int prefix = n.startsWith("get") ? 3 : n.startsWith("is") ? 2 : 0;
      if (prefix > 0 && n.length() > prefix && m.getParameterCount() == 0 && Character.isUpperCase(n.charAt(prefix))) {
        names.add(Character.toLowerCase(n.charAt(prefix)) + n.substring(prefix + 1));
      }
    }
    return names;
  }

  /** {@code --name=value} or {@code --name} → name; anything else → null. */
  private static String optionName(String arg) {
    if (!arg.startsWith("--") || arg.length() == 2) {
      return null;
    }
    int eq = arg.indexOf('=');
    return eq < 0 ? arg.substring(2) : arg.substring(2, eq);
  }

  private static boolean isHelp(String a) {
    return a.equals("--help") || a.equals("-h") || a.equals("help");
  }

  /**
   * The argument Beam could not parse, when its message names only the value ("Cannot deserialize
   * value of type Integer from String "abc""): each {@code --name=value} parsed alone until one
   * fails. Empty when the message already names the option or no single argument fails alone.
   */
  static <T extends PipelineOptions> java.util.Optional<String> culprit(Class<T> cls, List<String> args) {
    for (String a : args) {
      if (!a.startsWith("--") || !a.contains("=")) {
        continue;
      }
      try {
        PipelineOptionsFactory.fromArgs(a).as(cls);
      } catch (IllegalArgumentException e) {
        String name = a.substring(0, a.indexOf('='));
        return e.getMessage() != null && e.getMessage().contains(name.substring(2))
            ? java.util.Optional.empty()
            : java.util.Optional.of(a);
      }
    }
    return java.util.Optional.empty();
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "invalid arguments";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** Below this, a full local temporary folder is named as a likely cause of a failure. */
  private static final long LOW_TEMP_SPACE = 64L << 20;

  /**
   * After a failure: when the local temporary folder is (nearly) full, says so. A full folder
   * surfaces in odd places (a native library that cannot be unpacked, a sort run cut short).
   */
  private static void tempSpaceHint(PrintStream err) {
    java.nio.file.Path tmp = java.nio.file.Paths.get(System.getProperty("java.io.tmpdir"));
    try {
      long free = java.nio.file.Files.getFileStore(tmp).getUsableSpace();
      if (free < LOW_TEMP_SPACE) {
        err.println(
            "the local temporary folder " + tmp + " (java.io.tmpdir) has " + (free >> 20) + " MB free: the"
                + " archive's sort runs, the delete's and restore's verified copies and Beam itself need room there");
      }
    } catch (java.io.IOException | RuntimeException ignored) {
      // nothing to add
    }
  }

  /** Commands a failed run of which is finished by running it again. */
  private static final java.util.Set<String> RESUMABLE = java.util.Set.of("archive", "delete", "restore");

  /**
   * After a run that failed (a server gone longer than --maxOutageSeconds, a full disk, ...; {@code
   * e} null: one that completed with FAILED partitions): what to run to finish the work, with the
   * options as given minus any password.
   */
  private static void rerunHint(Command<?> command, List<String> args, Throwable e, PrintStream err) {
    if (!RESUMABLE.contains(command.name())) {
      return;
    }
    boolean outage = false;
    for (Throwable c = e; c != null && !outage; c = c.getCause() == c ? null : c.getCause()) {
      outage = c instanceof org.beamarchiver.retry.Outage.GaveUpException;
    }
    String what =
        e == null
            ? "the partitions that FAILED are listed above and in the ledger; once the cause is fixed, rerun the same"
                + " command to redo them (partitions done are skipped):"
            : (outage ? "a server stayed unreachable longer than --maxOutageSeconds; n" : "n")
                + "othing done is lost: once the cause is fixed, rerun the same command to finish it (partitions"
                + " already done are skipped, the rest are done or retried):";
    List<String> shown = new ArrayList<>();
    for (String a : args) {
      shown.add(a.toLowerCase(java.util.Locale.ROOT).matches("^--[a-z0-9]*(password|secret|key|token)[a-z0-9]*=.*")
          ? a.substring(0, a.indexOf('=') + 1) + "***"
          : a.startsWith("--notifyUrl=") // a webhook's path holds its token
              ? "--notifyUrl=" + org.beamarchiver.notify.Notifier.redact(a.substring("--notifyUrl=".length()))
              : a);
    }
    err.println(what);
    err.println("  " + command.name() + " " + String.join(" ", shown));
  }

  private static String describe(Throwable e) {
    StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage() == null ? e.toString() : e.getMessage()));
    Throwable c = e.getCause();
    int depth = 0;
    while (c != null && depth++ < 4) {
      if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
        sb.append(" <- ").append(c.getMessage());
      }
      c = c.getCause();
    }
    return sb.toString();
  }

  static void usage(PrintStream out, Command<?> command) {
    usage(out, command, COMMANDS.values());
  }

  private static void usage(PrintStream out, Command<?> command, java.util.Collection<Command<?>> commands) {
    if (command == null) {
      Help.printUsage(out, commands);
    } else {
      Help.printCommand(out, command);
    }
  }
}
