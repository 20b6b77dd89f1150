package org.beamarchiver.bench;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.beamarchiver.options.CassandraSourceOptions;
import org.beamarchiver.options.TableSpecOptions;

/** Options of the benchmark peers ({@code bench-scan}, {@code bench-raw-delete}). */
public interface BenchOptions extends CassandraSourceOptions, TableSpecOptions {
  @Description(
      "bench-scan: write every row as one gzip CSV file here (the minimal archiver); empty: decode"
          + " and discard (the raw scan). bench-raw-delete: the archive folder whose files list the keys.")
  @Default.String("")
  String getOutput();

  void setOutput(String value);

  @Description("Token-range queries (bench-scan) or deletes (bench-raw-delete) in flight.")
  @Default.Integer(8)
  Integer getInFlight();

  void setInFlight(Integer value);
}
