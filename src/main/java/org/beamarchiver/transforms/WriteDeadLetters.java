package org.beamarchiver.transforms;

import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.beamarchiver.io.format.CsvLines;
import org.beamarchiver.model.DeadLetter;

/**
 * Writes the run's dead letters to one CSV file: the reason, then the row's record. Written even
 * when empty, so an operator can tell "none" from "not written".
 */
public final class WriteDeadLetters extends PTransform<PCollection<DeadLetter>, PDone> {
  private final String prefix;
  private final String header;

  public WriteDeadLetters(String prefix, String[] rowHeader) {
    this.prefix = prefix;
    String[] h = new String[rowHeader.length + 1];
    h[0] = "reason";
    System.arraycopy(rowHeader, 0, h, 1, rowHeader.length);
    String line = CsvLines.line((Object[]) h);
    this.header = line.substring(0, line.length() - 1);
  }

  @Override
  public PDone expand(PCollection<DeadLetter> letters) {
    return letters
        .apply(
            "FormatDeadLetter",
            MapElements.into(TypeDescriptors.strings())
                .via(
                    (DeadLetter d) -> {
                      String reason = CsvLines.line(d.reason());
                      return reason.substring(0, reason.length() - 1)
                          + ","
                          + d.row().substring(0, d.row().length() - 1);
                    }))
        .apply(
            "WriteDeadLetterFile",
            TextIO.write().to(prefix).withSuffix(".csv").withHeader(header).withoutSharding());
  }
}
