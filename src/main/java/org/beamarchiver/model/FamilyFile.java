package org.beamarchiver.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;
import java.util.List;

/**
 * The archive of one related table of a partition (a member of a cascade): its object, rows,
 * bytes and SHA-256. A partition's list is kept as JSON in the ledger's {@code family_files} and
 * in its manifest entry. In a SQLite archive every member lives in the partition's one file, so
 * {@code path}, {@code bytes} and {@code sha256} are the file's, and {@code rows} the table's.
 */
public record FamilyFile(String table, String path, long rows, long bytes, String sha256) implements Serializable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The list as the ledger keeps it; null for none. */
  public static String toJson(List<FamilyFile> files) {
    if (files == null || files.isEmpty()) {
      return null;
    }
    try {
      return JSON.writeValueAsString(files);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The list a ledger value holds; empty for null. */
  public static List<FamilyFile> parse(String json) {
    if (json == null || json.isBlank()) {
      return List.of();
    }
    try {
      return JSON.readValue(json, new TypeReference<List<FamilyFile>>() {});
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a list of family files: " + e.getOriginalMessage());
    }
  }
}
