package org.beamarchiver.spec;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.beamarchiver.model.ArchiveFormat;

/**
 * Reads and validates a table spec. Errors name the file, the field and what is allowed, so that
 * a typo in a spec is fixed in one look. Identifiers must be plain names, so that no spec can
 * smuggle CQL or SQL into the statements built from it.
 */
public final class TableSpecLoader {
  /** A plain, unquoted CQL/SQL identifier. */
  public static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,47}");

  static final Pattern ARCHIVE_TYPE = Pattern.compile("[a-z][a-z0-9_-]{0,47}");

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule());

  private TableSpecLoader() {}

  /** A table's source and row fields, as written in YAML: a spec's own, or one storage's of a lifecycle. */
  static class RawTable {
    @JsonProperty public RawSource source;
    @JsonProperty public List<String> primaryKey;
    @JsonProperty public String batchColumn;
    @JsonProperty public String timeColumn;
    @JsonProperty public String collectionColumn;
    @JsonProperty public List<String> columns;
    @JsonProperty public RawRollup rollup;
    @JsonProperty public RawReport report;
    @JsonProperty public String format;
    @JsonProperty public List<RawChild> children;
    @JsonProperty public RawSummary summary;
  }

  /** A child table, as written in YAML. */
  static final class RawChild {
    @JsonProperty public String table;
    @JsonProperty public List<String> primaryKey;
    @JsonProperty public java.util.LinkedHashMap<String, String> parentKey;
    @JsonProperty public List<RawChild> children;
  }

  /** The summary row, as written in YAML. */
  static final class RawSummary {
    @JsonProperty public String table;
    @JsonProperty public java.util.LinkedHashMap<String, String> copy;
    @JsonProperty public java.util.LinkedHashMap<String, RawAggregate> columns;
  }

  /** One summary column: one of count, sum, min, max, histogram naming {@code table} or {@code table.column}. */
  static final class RawAggregate {
    @JsonProperty public String count;
    @JsonProperty public String sum;
    @JsonProperty public String min;
    @JsonProperty public String max;
    @JsonProperty public String histogram;
    @JsonProperty public java.util.LinkedHashMap<String, Object> where;
    @JsonProperty public List<java.math.BigDecimal> bins;
  }

  /** The file's shape, as written in YAML. */
  static final class RawSpec extends RawTable {
    @JsonProperty public String archiveType;
    @JsonProperty public List<RawLifecycle> lifecycles;
  }

  /** A lifecycle of the table: its name, its order, and where its data lived over time. */
  static final class RawLifecycle {
    @JsonProperty public String name;
    @JsonProperty public Integer order;
    @JsonProperty public List<RawStorage> storages;
  }

  /** One storage of a lifecycle: a source (files or rows, with the row fields) and its dates. */
  static final class RawStorage extends RawTable {
    @JsonProperty public String name;
    @JsonProperty public java.time.LocalDate from;
    @JsonProperty public java.time.LocalDate until;
  }

  static final class RawReport {
    @JsonProperty public List<String> columns;
    @JsonProperty public String expand;
  }

  static final class RawRollup {
    @JsonProperty public List<String> distinct;
    @JsonProperty public List<String> numeric;
  }

  static final class RawSource {
    @JsonProperty public String kind;
    @JsonProperty public String keyspace;
    @JsonProperty public String schema;
    @JsonProperty public String table;
    @JsonProperty public String location;
    @JsonProperty public String partitionDate;
  }

  /**
   * The table --tableSpec names: a spec file without lifecycles, or one storage of a spec with
   * lifecycles, selected as {@code file#lifecycle/storage}.
   */
  public static TableSpec load(Path file) {
    return loadUnit(file).spec();
  }

  /** {@link #load}, with the lifecycle, storage and dates of the unit selected. */
  public static SpecUnit loadUnit(Path file) {
    String s = file.toString();
    int at = s.lastIndexOf(SpecUnit.SELECTOR);
    if (at > 0 && !Files.isRegularFile(file)) {
      String selector = s.substring(at + 1);
      Path spec = Path.of(s.substring(0, at));
      List<SpecUnit> units = loadUnits(spec);
      for (SpecUnit u : units) {
        if (u.lifecycle() != null && (u.lifecycle() + "/" + u.storage()).equals(selector)) {
          return u;
        }
      }
      throw new TableSpecException(
          spec + ": no lifecycle/storage '" + selector + "'; the spec has "
              + units.stream().filter(u -> u.lifecycle() != null).map(u -> u.lifecycle() + "/" + u.storage()).toList());
    }
    List<SpecUnit> units = loadUnits(file);
    if (units.get(0).lifecycle() != null) {
      throw new TableSpecException(
          file + " has lifecycles: a job works on one storage of one, named as " + file + SpecUnit.SELECTOR
              + "<lifecycle>/<storage> (one of " + units.stream().map(u -> u.lifecycle() + "/" + u.storage()).toList() + ")");
    }
    return units.get(0);
  }

  /**
   * Every unit of a spec file: the one table of a spec without lifecycles; for a spec with
   * lifecycles, each storage of each lifecycle, in lifecycle order, then storage order.
   */
  public static List<SpecUnit> loadUnits(Path file) {
    RawSpec raw = read(file);
    if (raw.lifecycles == null) {
      return List.of(new SpecUnit(file.toString(), raw.archiveType, null, 0, null, null, null, validate(file.toString(), raw.archiveType, raw)));
    }
    return Lifecycles.units(file.toString(), raw);
  }

  private static RawSpec read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new TableSpecException(file + ": table spec file not found (--tableSpec)");
    }
    RawSpec raw;
    try {
      raw = YAML.readValue(file.toFile(), RawSpec.class);
    } catch (UnrecognizedPropertyException e) {
      throw new TableSpecException(
          String.format(
              "%s: unknown field '%s'; allowed fields: %s",
              file, fieldPath(e), e.getKnownPropertyIds()));
    } catch (InvalidFormatException e) {
      throw new TableSpecException(
          String.format("%s: field '%s' has an invalid value: %s", file, fieldPath(e), e.getValue()));
    } catch (JsonMappingException e) {
      throw new TableSpecException(
          String.format("%s: field '%s': %s", file, fieldPath(e), e.getOriginalMessage()));
    } catch (IOException e) {
      throw new TableSpecException(file + ": cannot read YAML: " + e.getMessage());
    }
    if (raw == null) {
      throw new TableSpecException(file + ": the file is empty");
    }
    return raw;
  }

  private static String fieldPath(JsonMappingException e) {
    return e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("."));
  }

  /** The table {@code raw} describes, archived as {@code archiveType}; errors name {@code file}. */
  static TableSpec validate(String file, String archiveType, RawTable raw) {
    List<String> errors = new ArrayList<>();
    if (archiveType == null || !ARCHIVE_TYPE.matcher(archiveType).matches()) {
      errors.add(
          "field 'archiveType' must be lower-case letters, digits, '-' or '_' (got "
              + quote(archiveType)
              + ")");
    }
    TableSpec.SourceKind kind = null;
    if (raw.source == null) {
      errors.add("field 'source' is required (kind, keyspace or schema, table)");
    } else {
      try {
        kind = TableSpec.SourceKind.valueOf(String.valueOf(raw.source.kind));
      } catch (IllegalArgumentException e) {
        errors.add(
            "field 'source.kind' must be one of "
                + Arrays.toString(TableSpec.SourceKind.values())
                + " (got "
                + quote(raw.source.kind)
                + ")");
      }
      if (kind == TableSpec.SourceKind.files) {
        return validateFiles(file, archiveType, raw, errors);
      }
      for (String[] f : new String[][] {{"location", raw.source.location}, {"partitionDate", raw.source.partitionDate}}) {
        if (f[1] != null) {
          errors.add("field 'source." + f[0] + "' is for kind files; a " + kind + " source names its table");
        }
      }
      if (kind == TableSpec.SourceKind.jdbc) {
        // A JDBC table lives in a schema; a Cassandra table in a keyspace. Each names its own.
        identifier(errors, "source.schema", raw.source.schema);
        if (raw.source.keyspace != null) {
          errors.add("field 'source.keyspace' is for kind cassandra; a jdbc source names its 'source.schema'");
        }
      } else {
        identifier(errors, "source.keyspace", raw.source.keyspace);
        if (raw.source.schema != null) {
          errors.add("field 'source.schema' is for kind jdbc; a cassandra source names its 'source.keyspace'");
        }
      }
      identifier(errors, "source.table", raw.source.table);
    }
    if (raw.primaryKey == null || raw.primaryKey.isEmpty()) {
      errors.add("field 'primaryKey' is required: the list of primary-key columns in key order");
    } else {
      for (int i = 0; i < raw.primaryKey.size(); i++) {
        identifier(errors, "primaryKey[" + i + "]", raw.primaryKey.get(i));
      }
      Set<String> unique = new LinkedHashSet<>(raw.primaryKey);
      if (unique.size() != raw.primaryKey.size()) {
        errors.add("field 'primaryKey' lists a column twice: " + raw.primaryKey);
      }
    }
    identifier(errors, "batchColumn", raw.batchColumn);
    identifier(errors, "timeColumn", raw.timeColumn);
    identifier(errors, "collectionColumn", raw.collectionColumn);
    List<String> columns = raw.columns == null ? List.of() : raw.columns;
    for (int i = 0; i < columns.size(); i++) {
      identifier(errors, "columns[" + i + "]", columns.get(i));
    }
    List<String> distinct = raw.rollup == null || raw.rollup.distinct == null ? List.of() : raw.rollup.distinct;
    List<String> numeric = raw.rollup == null || raw.rollup.numeric == null ? List.of() : raw.rollup.numeric;
    for (int i = 0; i < distinct.size(); i++) {
      identifier(errors, "rollup.distinct[" + i + "]", distinct.get(i));
      if (!columns.isEmpty() && distinct.get(i) != null && !columns.contains(distinct.get(i))) {
        errors.add("field 'rollup.distinct[" + i + "]' names '" + distinct.get(i) + "', which is not in 'columns'");
      }
    }
    for (int i = 0; i < numeric.size(); i++) {
      identifier(errors, "rollup.numeric[" + i + "]", numeric.get(i));
      if (!columns.isEmpty() && numeric.get(i) != null && !columns.contains(numeric.get(i))) {
        errors.add("field 'rollup.numeric[" + i + "]' names '" + numeric.get(i) + "', which is not in 'columns'");
      }
    }
    List<String> reportColumns = raw.report == null || raw.report.columns == null ? List.of() : raw.report.columns;
    for (int i = 0; i < reportColumns.size(); i++) {
      identifier(errors, "report.columns[" + i + "]", reportColumns.get(i));
    }
    String expand = raw.report == null ? null : raw.report.expand;
    if (expand != null) {
      identifier(errors, "report.expand", expand);
    }
    ArchiveFormat format = ArchiveFormat.DEFAULT;
    if (raw.format != null) {
      try {
        format = ArchiveFormat.parse(raw.format, "format");
      } catch (IllegalArgumentException e) {
        errors.add("field 'format' must be one of " + ArchiveFormat.allowed() + " (got " + quote(raw.format) + ")");
      }
    }
    if (!columns.isEmpty() && errors.isEmpty()) {
      for (String needed : neededColumns(raw)) {
        if (!columns.contains(needed)) {
          errors.add("field 'columns' must include '" + needed + "' (a key, batch, time or collection column)");
        }
      }
    }
    List<TableSpec.ChildSpec> children = List.of();
    TableSpec.SummarySpec summary = null;
    if (kind != TableSpec.SourceKind.jdbc) {
      for (Object[] f : new Object[][] {{"children", raw.children}, {"summary", raw.summary}}) {
        if (f[1] != null) {
          errors.add("field '" + f[0] + "' is for kind jdbc (related tables in one database); a " + kind + " source archives one table");
        }
      }
    } else if (raw.primaryKey != null && raw.source != null && raw.source.table != null) {
      Set<String> names = new LinkedHashSet<>(List.of(raw.source.table));
      children = Cascade.children(errors, "children", raw.children, raw.primaryKey, names);
      summary = Cascade.summary(errors, raw.summary, raw.source.table, raw.primaryKey, raw.batchColumn, names);
    }
    if (!errors.isEmpty()) {
      throw new TableSpecException(file + ": " + String.join("; ", errors));
    }
    return new TableSpec(
        archiveType,
        kind,
        kind == TableSpec.SourceKind.jdbc ? raw.source.schema : raw.source.keyspace,
        raw.source.table,
        List.copyOf(raw.primaryKey),
        raw.batchColumn,
        raw.timeColumn,
        raw.collectionColumn,
        List.copyOf(columns),
        new TableSpec.RollupSpec(List.copyOf(distinct), List.copyOf(numeric)),
        new TableSpec.ReportSpec(List.copyOf(reportColumns), expand),
        format,
        null,
        children,
        summary);
  }

  /**
   * A table kept as files: a location and how files are dated; none of the row fields (a files
   * source archives whole files, not rows).
   */
  private static TableSpec validateFiles(String file, String archiveType, RawTable raw, List<String> errors) {
    for (String[] f : new String[][] {{"keyspace", raw.source.keyspace}, {"schema", raw.source.schema}, {"table", raw.source.table}}) {
      if (f[1] != null) {
        errors.add("field 'source." + f[0] + "' is for kinds cassandra and jdbc; a files source names its 'source.location'");
      }
    }
    if (raw.source.location == null || raw.source.location.isBlank()) {
      errors.add("field 'source.location' is required: the folder of the table's files (a local path or a URI such as s3://bucket/prefix)");
    }
    String date = raw.source.partitionDate;
    String dateProblem = partitionDateProblem(date);
    if (dateProblem != null) {
      errors.add("field 'source.partitionDate' " + dateProblem);
    }
    Object[][] rowFields = {
      {"primaryKey", raw.primaryKey}, {"batchColumn", raw.batchColumn}, {"timeColumn", raw.timeColumn},
      {"collectionColumn", raw.collectionColumn}, {"columns", raw.columns}, {"rollup", raw.rollup},
      {"report", raw.report}, {"format", raw.format}, {"children", raw.children}, {"summary", raw.summary},
    };
    for (Object[] f : rowFields) {
      if (f[1] != null) {
        errors.add("field '" + f[0] + "' is for row sources (cassandra, jdbc); a files source archives whole files");
      }
    }
    if (!errors.isEmpty()) {
      throw new TableSpecException(file + ": " + String.join("; ", errors));
    }
    return new TableSpec(
        archiveType,
        TableSpec.SourceKind.files,
        null,
        archiveType,
        List.of(),
        null,
        null,
        null,
        List.of(),
        TableSpec.RollupSpec.NONE,
        TableSpec.ReportSpec.NONE,
        ArchiveFormat.DEFAULT,
        new FileSourceSpec(raw.source.location, date));
  }

  /** Why a files source's partitionDate is not usable; null when it is. */
  static String partitionDateProblem(String date) {
    String allowed =
        "must be '" + FileSourceSpec.MODIFIED + "' (each file's modification time) or the form of the path segment"
            + " that holds the date, with " + FileSourceSpec.DATE + " for yyyy-MM-dd, such as 'dt=" + FileSourceSpec.DATE + "'";
    if (date == null) {
      return "is required: it " + allowed.replaceFirst("^must be", "is either");
    }
    if (date.equals(FileSourceSpec.MODIFIED)) {
      return null;
    }
    int at = date.indexOf(FileSourceSpec.DATE);
    if (at < 0 || date.indexOf(FileSourceSpec.DATE, at + 1) >= 0) {
      return allowed + " (got '" + date + "': " + FileSourceSpec.DATE + " must appear once)";
    }
    String rest = date.replace(FileSourceSpec.DATE, "");
    if (rest.contains("/") || rest.contains("{") || rest.contains("}") || rest.contains("\\")) {
      return allowed + " (got '" + date + "': one path segment, no '/', '\\' or other braces)";
    }
    return null;
  }

  private static Set<String> neededColumns(RawTable raw) {
    Set<String> needed = new LinkedHashSet<>(raw.primaryKey);
    needed.add(raw.batchColumn);
    needed.add(raw.timeColumn);
    needed.add(raw.collectionColumn);
    return needed;
  }

  static void identifier(List<String> errors, String field, String value) {
    if (value == null) {
      errors.add("field '" + field + "' is required");
    } else if (!IDENTIFIER.matcher(value).matches()) {
      errors.add(
          "field '"
              + field
              + "' must be a plain identifier (a letter, then letters, digits or '_', at most 48), got "
              + quote(value));
    }
  }

  private static String quote(String s) {
    return s == null ? "nothing" : "'" + s + "'";
  }
}
