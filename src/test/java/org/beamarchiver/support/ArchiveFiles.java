package org.beamarchiver.support;

import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.beamarchiver.io.format.CsvLines;
import org.beamarchiver.io.format.ParquetRows;
import org.beamarchiver.model.SourceRow;

/** Reads archive files back, for assertions. */
public final class ArchiveFiles {
  private ArchiveFiles() {}

  /** Every record of an archive (gzip CSV or Parquet, by its name) as column → value (null for null). */
  public static List<Map<String, String>> read(Path file) throws IOException {
    List<Map<String, String>> out = new ArrayList<>();
    if (file.toString().endsWith(".parquet")) {
      List<String> header = new ArrayList<>();
      ParquetRows.fileSchema(file).getFields().forEach(f -> header.add(f.getName()));
      try (ParquetRows.Reader rows = ParquetRows.reader(file)) {
        rows.forEachRemaining(
            r -> {
              Map<String, String> row = new LinkedHashMap<>();
              for (int i = 0; i < r.values().length; i++) {
                row.put(header.get(i), r.values()[i]);
              }
              row.put(
                  header.get(header.size() - 1),
                  r.writeTimeMicros() == SourceRow.NO_WRITE_TIME ? null : Long.toString(r.writeTimeMicros()));
              out.add(row);
            });
      }
      return out;
    }
    try (CSVParser csv =
        CsvLines.READ_FORMAT.parse(
            new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
      for (CSVRecord r : csv) {
        Map<String, String> row = new LinkedHashMap<>();
        for (String h : csv.getHeaderNames()) {
          row.put(h, r.get(h));
        }
        out.add(row);
      }
    }
    return out;
  }

  public static String sha256(Path file) throws IOException {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Relative paths of every regular file under a directory. */
  public static List<String> list(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
    }
  }
}
