package org.beamarchiver.spec;

import java.time.LocalDate;

/**
 * What one job of a launch works on: a table spec's table, or, for a spec with lifecycles, one
 * storage of one lifecycle, with the dates it held the lifecycle's data.
 *
 * @param file the spec file
 * @param tableType the spec's own archiveType (a storage's archive type starts with it)
 * @param lifecycle the lifecycle's name, or null for a spec without lifecycles
 * @param order the lifecycle's order (lower first; equal orders run in parallel); 0 without lifecycles
 * @param storage the storage's name, or null without lifecycles
 * @param from first day the storage held the lifecycle's data (inclusive), or null: since always
 * @param until first day it no longer did (exclusive), or null: still does
 * @param spec the table as every command sees it; a storage's archive type is {@code
 *     <archiveType>-<lifecycle>-<storage>}
 */
public record SpecUnit(String file, String tableType, String lifecycle, int order, String storage, LocalDate from, LocalDate until, TableSpec spec) {
  /** How --tableSpec names this unit: the file, and for a storage {@code #lifecycle/storage}. */
  public String selector() {
    return lifecycle == null ? file : file + SELECTOR + lifecycle + "/" + storage;
  }

  /** Separates a spec file from the lifecycle and storage it selects in --tableSpec. */
  public static final String SELECTOR = "#";

  /**
   * The units of {@code units} (a spec file's) that --lifecycle and --storage select (null: any);
   * refused, naming what the spec has, when none is.
   */
  public static java.util.List<SpecUnit> select(java.util.List<SpecUnit> units, String lifecycle, String storage, Object file) {
    java.util.List<SpecUnit> chosen =
        units.stream()
            .filter(u -> lifecycle == null || lifecycle.equals(u.lifecycle()))
            .filter(u -> storage == null || storage.equals(u.storage()))
            .toList();
    if (chosen.isEmpty()) {
      throw new TableSpecException(
          file + ": no storage matches" + (lifecycle == null ? "" : " --lifecycle=" + lifecycle)
              + (storage == null ? "" : " --storage=" + storage) + "; the spec has "
              + units.stream().map(u -> u.lifecycle() + "/" + u.storage()).toList());
    }
    return chosen;
  }

  /** The unit's name in a launch's summary: the table, and its lifecycle and storage. */
  public String describe() {
    return lifecycle == null ? spec.qualifiedTable() : spec.qualifiedTable() + " (lifecycle " + lifecycle + ", storage " + storage + ")";
  }
}
