package org.beamarchiver.pipelines;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Create;
import org.beamarchiver.control.JobControl;
import org.beamarchiver.control.JobRunner;
import org.beamarchiver.integrity.SigningKey;
import org.beamarchiver.io.store.Stores;
import org.beamarchiver.ledger.JobState;
import org.beamarchiver.ledger.Ledger;
import org.beamarchiver.ledger.LedgerRow;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.options.RestoreOptions;
import org.beamarchiver.spec.TableSpec;
import org.beamarchiver.transforms.RestoreArchivedFiles;

/**
 * The restore of a files table ({@link JobRunner}): under the table's lease, the request's archived
 * partitions (deleted or not) that their signed manifests vouch for (the others refused and
 * recorded, as for rows), each with its unpurged recycle folder if it has one; then the pipeline
 * ArchivedPartitions → {@link RestoreArchivedFiles} (every file back at its path under the target
 * location, byte-identical, a file already there left alone), each partition's outcome recorded.
 */
final class FileRestoreJob implements JobRunner.Job<RestorePipeline.Summary> {
  static final List<String> PROGRESS_COUNTERS =
      List.of("filesRestored", "filesFromRecycleBin", "filesPresent", "filesKeptOther", "filesFailed", "partitionsRestored",
          "partitionsFailed");

  private final RestoreOptions options;
  private final Launch launch;
  private final SigningKey key;
  private final Ledger ledger;
  private final String target;
  private final Progress progress;
  private final List<ArchivedPartition> accepted = new ArrayList<>();
  private final Map<String, String> recycleFolders = new HashMap<>();

  private FileRestoreJob(RestoreOptions options, Launch launch, SigningKey key, Ledger ledger, String target, Progress progress) {
    this.options = options;
    this.launch = launch;
    this.key = key;
    this.ledger = ledger;
    this.target = target;
    this.progress = progress;
  }

  static RestorePipeline.Summary run(RestoreOptions options, Clock clock, Progress progress, TableSpec spec) throws Exception {
    Launch launch = Launch.resolveFiles(options, clock, "restore", spec);
    String target =
        options.getTargetLocation() != null ? FileArchiveRun.normalize(options.getTargetLocation()) : FileArchiveRun.location(spec);
    FileArchiveRun.checkRoots(target, launch.archiveRoot());
    JobControl.Settings job = launch.jobSettings(options, "restore").withRequestData(launch.requestData("restore into " + target));
    SigningKey key = SigningKey.resolve(options, false, progress::note);
    Ledger ledger = new Ledger(launch.ledger());
    ledger.migrate();
    return JobRunner.run(job, null, progress::note, new FileRestoreJob(options, launch, key, ledger, target, progress));
  }

  @Override
  public void open() {
    Stores.configure(options);
  }

  @Override
  public void prepare() throws Exception {
    List<RestorePipeline.Outcome> refused = new ArrayList<>();
    Map<String, String> bins = ledger.recycles().unpurgedFolders(launch.spec().archiveType());
    for (LedgerRow r : RestoreJob.vouchedFor(launch, ledger, key, target, progress, refused)) {
      accepted.add(r.archivedPartition());
      if (bins.containsKey(r.blobUrl())) {
        recycleFolders.put(r.blobUrl(), bins.get(r.blobUrl()));
      }
    }
    progress.note(
        "restore " + launch.request().describe() + " into " + target + ": " + accepted.size()
            + " verified archive(s) (manifest signatures checked with key " + key.id() + ")"
            + (recycleFolders.isEmpty() ? "" : ", " + recycleFolders.size() + " with files in the recycle bin")
            + (refused.isEmpty() ? "" : ", " + refused.size() + " refused"));
  }

  @Override
  public boolean hasWork() {
    return !accepted.isEmpty();
  }

  @Override
  public JobState workState() {
    return JobState.RESTORING;
  }

  @Override
  public Map<String, Long> attempt(int attempt) throws Exception {
    return Execution.runWithProgress(pipeline(), PROGRESS_COUNTERS, progress);
  }

  /** The accepted partitions, each file put back and each partition's outcome recorded. */
  private Pipeline pipeline() {
    Pipeline p = Pipeline.create(options);
    Map<String, ArchivedPartition> byUuid = new HashMap<>();
    accepted.forEach(a -> byUuid.put(a.uuid(), a));
    p.apply("ArchivedPartitions", Create.of(accepted).withCoder(SerializableCoder.of(ArchivedPartition.class)))
        .apply(
            "RestoreArchivedFiles",
            new RestoreArchivedFiles(
                byUuid,
                new RestoreArchivedFiles.Settings(target, Map.copyOf(recycleFolders), launch.ledger(), launch.spec().archiveType(),
                    launch.runId())));
    return p;
  }

  @Override
  public RestorePipeline.Summary summarize(Map<String, Long> counters) throws Exception {
    return RestoreJob.summaryOf(ledger, launch, target, "files");
  }

  @Override
  public java.util.List<org.beamarchiver.notify.Notice.Problem> problems(RestorePipeline.Summary summary) {
    return RestoreJob.problemsOf(summary);
  }

  @Override
  public JobRunner.Counts counts(RestorePipeline.Summary summary) {
    return RestoreJob.countsOf(summary);
  }

  @Override
  public void cleanUp() {}
}
