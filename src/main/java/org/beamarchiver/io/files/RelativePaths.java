package org.beamarchiver.io.files;

/**
 * A file's name within its table: its path relative to the table's location, segments separated
 * by {@code /}. It is also where the file's copy goes under the archive root, so a name that could
 * point anywhere else (an object key with {@code ..} or {@code .} segments, or empty ones) is
 * refused rather than resolved.
 */
public final class RelativePaths {
  private RelativePaths() {}

  /** The location as files under it are named: no trailing separator. */
  public static String location(String location) {
    String l = location;
    while (l.length() > 1 && l.endsWith("/") && !l.endsWith("://")) {
      l = l.substring(0, l.length() - 1);
    }
    return l;
  }

  /**
   * The path of {@code file} (a full name, as the file system lists it) relative to {@code
   * location}.
   *
   * @throws IllegalArgumentException when the file is not under the location or its name is unsafe
   */
  public static String of(String location, String file) {
    String base = location(location) + "/";
    if (!file.startsWith(base) || file.length() == base.length()) {
      throw new IllegalArgumentException(file + " is not a file under " + location);
    }
    String relative = file.substring(base.length());
    String problem = problem(relative);
    if (problem != null) {
      throw new IllegalArgumentException(file + ": " + problem);
    }
    return relative;
  }

  /** Why {@code relative} cannot name a file's copy under a root; null when it can. */
  public static String problem(String relative) {
    if (relative.startsWith("/") || relative.endsWith("/")) {
      return "the name starts or ends with '/'";
    }
    if (relative.indexOf('\\') >= 0) {
      return "the name holds '\\', which some file systems read as a separator";
    }
    for (String s : relative.split("/", -1)) {
      if (s.isEmpty() || s.equals(".") || s.equals("..")) {
        return "the name has an empty, '.' or '..' segment, which would place its copy elsewhere";
      }
    }
    for (int i = 0; i < relative.length(); i++) {
      if (Character.isISOControl(relative.charAt(i))) {
        return "the name holds a control character";
      }
    }
    return null;
  }
}
