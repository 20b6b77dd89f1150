package org.beamarchiver.integrity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.FileSystems;
import org.beamarchiver.io.store.ArchivePaths;
import org.beamarchiver.io.store.Stores;

/**
 * A run's manifest: every file the run archived (path, bytes, SHA-256, rows, min/max time,
 * roll-up statistics) and the table's columns and types, signed with HMAC-SHA-256. The signature
 * covers the manifest's canonical JSON (keys sorted, no spaces, the {@code signature} field left
 * out), so a changed value, an added or removed file fails it while re-indenting does not.
 * Stored as {@code <archiveRoot>/manifests/<type>/<name>.manifest.json}; the ledger rows of its
 * files point at it.
 */
public final class Manifest {
  public static final String FORMAT = "beam-archiver-manifest/1";
  public static final String DIR = "manifests";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper CANONICAL =
      new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
  private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** One archived file as the manifest lists it. */
  public record Entry(
      String path, String batchId, String period, long bytes, String sha256, long rows, String minTime,
      String maxTime, Map<String, Object> rollup, List<org.beamarchiver.model.FamilyFile> family) {
    public Entry {
      family = family == null ? List.of() : List.copyOf(family);
    }

    public Entry(
        String path, String batchId, String period, long bytes, String sha256, long rows, String minTime,
        String maxTime, Map<String, Object> rollup) {
      this(path, batchId, period, bytes, sha256, rows, minTime, maxTime, rollup, List.of());
    }
  }

  private final Map<String, Object> body;
  private final String signature;

  private Manifest(Map<String, Object> body, String signature) {
    this.body = body;
    this.signature = signature;
  }

  /** Where a manifest named {@code name} (a run id) of {@code type} lives. */
  public static String path(String archiveRoot, String type, String name) {
    return ArchivePaths.root(archiveRoot) + "/" + DIR + "/" + type + "/" + name + ".manifest.json";
  }

  /** A new manifest, signed. */
  public static Manifest sign(
      SigningKey key, String runId, String archiveType, String table, String createdAt, List<String> columns,
      List<String> types, List<Entry> files) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("format", FORMAT);
    body.put("runId", runId);
    body.put("archiveType", archiveType);
    body.put("table", table);
    body.put("createdAt", createdAt);
    body.put("keyId", key.id());
    List<Map<String, Object>> cols = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("name", columns.get(i));
      c.put("type", types.get(i));
      cols.add(c);
    }
    body.put("columns", cols);
    List<Map<String, Object>> fs = new ArrayList<>();
    for (Entry e : files) {
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("path", e.path());
      f.put("batchId", e.batchId());
      f.put("period", e.period());
      f.put("bytes", e.bytes());
      f.put("sha256", e.sha256());
      f.put("rows", e.rows());
      f.put("minTime", e.minTime());
      f.put("maxTime", e.maxTime());
      f.put("rollup", e.rollup());
      if (!e.family().isEmpty()) {
        f.put("family", JSON.convertValue(e.family(), List.class));
      }
      fs.add(f);
    }
    body.put("files", fs);
    // Round-trip first, so that what is signed is exactly what a reader parses back.
    Map<String, Object> parsed = parse(toJson(JSON, body));
    return new Manifest(parsed, key.sign(canonical(parsed)));
  }

  /** The manifest's bytes as stored: its body and its signature. */
  public byte[] bytes() {
    Map<String, Object> doc = new LinkedHashMap<>(body);
    doc.put("signature", signature);
    return toJson(PRETTY, doc).getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  public void write(String url) throws IOException {
    Stores.write(url, "application/json", bytes());
  }

  /** Reads a stored manifest; {@link IOException} when it is missing or not a manifest. */
  public static Manifest read(String url) throws IOException {
    if (Stores.matchExact(url).status() != org.apache.beam.sdk.io.fs.MatchResult.Status.OK) {
      throw new java.io.FileNotFoundException("manifest " + url + " does not exist");
    }
    byte[] bytes = Stores.readAll(url);
    Map<String, Object> doc;
    try {
      doc = parse(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new IOException("manifest " + url + " is not JSON: " + e.getMessage());
    }
    Object sig = doc.remove("signature");
    if (!FORMAT.equals(doc.get("format"))) {
      throw new IOException("manifest " + url + " is not a " + FORMAT + " document");
    }
    return new Manifest(doc, sig instanceof String s ? s : null);
  }

  /** Whether the signature is {@code key}'s over this body. */
  public boolean verifies(SigningKey key) {
    return key.verifies(canonical(body), signature);
  }

  public String keyId() {
    return String.valueOf(body.get("keyId"));
  }

  public String runId() {
    return String.valueOf(body.get("runId"));
  }

  /** The archived columns and their source types, in file order: (name, type) pairs. */
  public List<Map.Entry<String, String>> columns() {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    if (body.get("columns") instanceof List<?> list) {
      for (Object o : list) {
        if (o instanceof Map<?, ?> m) {
          out.add(Map.entry(String.valueOf(m.get("name")), String.valueOf(m.get("type"))));
        }
      }
    }
    return out;
  }

  /** The listed files by path (as read: a tampered manifest may list anything). */
  @SuppressWarnings("unchecked")
  public Map<String, Entry> files() {
    Map<String, Entry> out = new LinkedHashMap<>();
    Object fs = body.get("files");
    if (!(fs instanceof List<?> list)) {
      return out;
    }
    for (Object o : list) {
      if (!(o instanceof Map<?, ?> m)) {
        continue;
      }
      Entry e =
          new Entry(
              str(m.get("path")), str(m.get("batchId")), str(m.get("period")), num(m.get("bytes")),
              str(m.get("sha256")), num(m.get("rows")), str(m.get("minTime")), str(m.get("maxTime")),
              m.get("rollup") instanceof Map<?, ?> r ? (Map<String, Object>) r : null,
              family(m.get("family")));
      out.put(e.path(), e);
    }
    return out;
  }

  /** A listed family (related tables' archives), as read; empty when absent or malformed (then it differs from the ledger's). */
  private static List<org.beamarchiver.model.FamilyFile> family(Object o) {
    if (o == null) {
      return List.of();
    }
    try {
      return JSON.convertValue(o, new com.fasterxml.jackson.core.type.TypeReference<List<org.beamarchiver.model.FamilyFile>>() {});
    } catch (IllegalArgumentException e) {
      return List.of(new org.beamarchiver.model.FamilyFile("(malformed)", null, -1, -1, null));
    }
  }

  private static String str(Object o) {
    return o == null ? null : o.toString();
  }

  private static long num(Object o) {
    return o instanceof Number n && !(o instanceof Double) && !(o instanceof Float) ? n.longValue() : -1;
  }

  static byte[] canonical(Map<String, Object> body) {
    return toJson(CANONICAL, body).getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> parse(String json) {
    try {
      Object o = JSON.readValue(json, Object.class);
      if (!(o instanceof Map<?, ?>)) {
        throw new IllegalArgumentException("not a JSON object");
      }
      return (Map<String, Object>) o;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e.getOriginalMessage());
    }
  }

  private static String toJson(ObjectMapper mapper, Object o) {
    try {
      return mapper.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
