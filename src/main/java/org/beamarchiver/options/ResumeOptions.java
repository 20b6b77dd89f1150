package org.beamarchiver.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Which partitions an archive run redoes, and run files (plans). */
public interface ResumeOptions extends PipelineOptions {
  @Description(
      "Re-archive partitions already archived (SUCCESS): the new file is recorded, then the old"
          + " object is removed and its ledger row kept as SUPERSEDED in archival_history. Refused"
          + " for partitions whose rows were already deleted from the source. Also retries"
          + " partitions that failed --maxIterations times.")
  @Default.Boolean(false)
  Boolean getForceArchival();

  void setForceArchival(Boolean value);

  @Description(
      "A partition that FAILED this many runs in a row is skipped (with a message) unless"
          + " --forceArchival.")
  @Default.Integer(3)
  Integer getMaxIterations();

  void setMaxIterations(Integer value);

  @Description(
      "Folder (any Beam file system) of run files: <system>_archival_<table>_<YYYYMMDDHH>_run_file.json."
          + " Default: <archiveRoot>/run-files.")
  String getRunFileDir();

  void setRunFileDir(String value);

  @Description("Execute this run file (written by the plan command) instead of planning anew.")
  String getPlan();

  void setPlan(String value);

  @Description(
      "Plan anew even if a run file for the same table and request, younger than one hour, exists.")
  @Default.Boolean(false)
  Boolean getForceRun();

  void setForceRun(Boolean value);

  @Description("The system named in run file names. Default: the table spec's keyspace.")
  String getSystem();

  void setSystem(String value);
}
