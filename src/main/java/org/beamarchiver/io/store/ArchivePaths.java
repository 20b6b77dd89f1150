package org.beamarchiver.io.store;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.beamarchiver.model.ArchiveFormat;
import org.beamarchiver.model.PartitionKey;

/**
 * Where archive objects live under the archive root:
 * {@code <root>/archived-batches/<type>/<batch>-<isoYear>-<isoWeek>-<epochMillis><suffix>}, the suffix
 * being the format's ({@code .csv.gz}, {@code .parquet}).
 * Batch ids are escaped so that any id, whatever characters it holds, gives one plain object name
 * that stays under the root and maps back to the id unambiguously ({@code %XX}; {@code ~XX} in Azure
 * Blob Storage).
 */
public final class ArchivePaths {
  public static final String ARCHIVE_DIR = "archived-batches";
  public static final String TEMP_DIR = "_tmp";
  public static final String DEAD_LETTER_DIR = "dead-letters";
  private ArchivePaths() {}

  /** The root without a trailing slash. */
  public static String root(String archiveRoot) {
    String r = archiveRoot;
    while (r.endsWith("/") && r.length() > 1 && !r.endsWith("://")) {
      r = r.substring(0, r.length() - 1);
    }
    return r;
  }

  public static String fileName(PartitionKey key, long epochMillis, ArchiveFormat format) {
    return String.format(
        "%s-%04d-%02d-%d%s",
        escape(key.batchId()), key.isoYear(), key.isoWeek(), epochMillis, format.suffix());
  }

  /**
   * The file name under {@code root}. In Azure Blob Storage ({@code azfs://}) the escapes are
   * written {@code ~XX} instead of {@code %XX}: Beam hands blob names to the Azure SDK as they are,
   * and the SDK URL-decodes every name it is given, so {@code a%2Fb} would be stored as the blob
   * {@code a/b} (the raw id, in a sub-folder), and Beam's listing of a folder fails on a blob whose
   * name holds a '%'. {@link #escape} never writes '~' itself (it escapes it), and {@link #unescape}
   * reads both forms.
   */
  public static String fileName(String root, PartitionKey key, long epochMillis, ArchiveFormat format) {
    String name = fileName(key, epochMillis, format);
    return root.startsWith("azfs://") ? name.replace('%', '~') : name;
  }

  public static String archiveFile(
      String root, String type, PartitionKey key, long epochMillis, ArchiveFormat format) {
    return root(root) + "/" + ARCHIVE_DIR + "/" + type + "/" + fileName(root, key, epochMillis, format);
  }

  /**
   * The archive of related table {@code table} beside its parent's {@code parentFile}: {@code
   * <parent name>.<table><suffix>}, e.g. {@code b1-2026-10-1700000000000.job.csv.gz}.
   */
  public static String memberFile(String parentFile, String table) {
    ArchiveFormat format = ArchiveFormat.ofObject(parentFile).orElseThrow();
    return parentFile.substring(0, parentFile.length() - format.suffix().length()) + "." + table + format.suffix();
  }

  /** The parent file whose member {@code name} would be ({@link #memberFile}); null when it is no member's name. */
  public static String parentOfMember(String name) {
    ArchiveFormat format = ArchiveFormat.ofObject(name).orElse(null);
    if (format == null) {
      return null;
    }
    String base = name.substring(0, name.length() - format.suffix().length());
    int dot = base.lastIndexOf('.');
    return dot <= 0 || !base.substring(dot + 1).matches("[A-Za-z][A-Za-z0-9_]*") ? null : base.substring(0, dot) + format.suffix();
  }

  /** Where the copies of a files table go: a folder per table under the root. */
  public static final String FILES_DIR = "archived-files";

  /**
   * The folder of one partition's copies in one iteration (named by the run's time, so an
   * iteration never writes over an earlier one's copies): {@code
   * <root>/archived-files/<type>/<storage>-<year>-<week>-<epochMillis>}.
   */
  public static String filesFolder(String root, String type, PartitionKey key, long epochMillis) {
    String name = fileName(root, key, epochMillis, ArchiveFormat.CSV_GZ);
    String stem = name.substring(0, name.length() - ArchiveFormat.CSV_GZ.suffix().length());
    return root(root) + "/" + FILES_DIR + "/" + type + "/" + stem;
  }

  /** The partition's file list, beside its folder of copies: the folder's name + {@code .files.csv.gz}. */
  public static String fileList(String root, String type, PartitionKey key, long epochMillis) {
    return filesFolder(root, type, key, epochMillis) + ".files" + ArchiveFormat.CSV_GZ.suffix();
  }

  /**
   * The folder of copies that belongs to the archive object {@code url} (a files partition's file
   * list: its folder of copies beside it), or null for an object that has none (a row archive).
   */
  public static String companionFolder(String url) {
    String suffix = ".files" + ArchiveFormat.CSV_GZ.suffix();
    return url.endsWith(suffix) && url.contains("/" + FILES_DIR + "/") ? url.substring(0, url.length() - suffix.length()) : null;
  }

  /**
   * The recycle folder of a files partition's list {@code listUrl}: {@code
   * <recycleRoot>/<type>/<the name of the list's folder of copies>}, so each iteration has its own.
   */
  public static String recycleFolder(String recycleRoot, String type, String listUrl) {
    String folder = companionFolder(listUrl);
    if (folder == null) {
      throw new IllegalArgumentException(listUrl + " is not a file list");
    }
    return root(recycleRoot) + "/" + type + "/" + folder.substring(folder.lastIndexOf('/') + 1);
  }

  public static String tempFile(
      String root, String runId, PartitionKey key, long epochMillis, ArchiveFormat format) {
    return root(root) + "/" + TEMP_DIR + "/" + runId + "/" + fileName(root, key, epochMillis, format);
  }

  public static String tempDir(String root, String runId) {
    return root(root) + "/" + TEMP_DIR + "/" + runId + "/";
  }

  /**
   * Where the DirectRunner's sorted runs spill: the run's temporary folder under a local root, the
   * machine's temporary folder when the root is an object store (runs are read back with seeks,
   * and never leave the machine that wrote them).
   */
  public static String spillDir(String root, String runId) {
    if (Stores.isLocal(root)) {
      return tempDir(root, runId) + "runs/";
    }
    return java.nio.file.Paths.get(System.getProperty("java.io.tmpdir"), "beam-archiver-spill", runId) + "/";
  }

  public static String deadLetterPrefix(String root, String type, String runId) {
    return root(root) + "/" + DEAD_LETTER_DIR + "/" + type + "/" + runId;
  }

  /**
   * Escapes every byte outside {@code [A-Za-z0-9_.-]} (and '.' at the start) as {@code %XX} of its
   * UTF-8 encoding. '%' itself is escaped, so {@link #unescape} is exact.
   */
  public static String escape(String id) {
    StringBuilder sb = new StringBuilder(id.length() + 8);
    byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i++) {
      int b = bytes[i] & 0xff;
      boolean plain =
          (b >= 'a' && b <= 'z')
              || (b >= 'A' && b <= 'Z')
              || (b >= '0' && b <= '9')
              || b == '_'
              || b == '-'
              || (b == '.' && i > 0);
      if (plain) {
        sb.append((char) b);
      } else {
        sb.append('%').append(String.format("%02X", b));
      }
    }
    return sb.toString();
  }

  /**
   * The id of an escaped name; {@code ~XX} is read as {@code %XX} (Azure's form, see {@link
   * #fileName(String, PartitionKey, long, ArchiveFormat)}).
   */
  public static String unescape(String name) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '%' || c == '~') {
        out.write(Integer.parseInt(name.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
