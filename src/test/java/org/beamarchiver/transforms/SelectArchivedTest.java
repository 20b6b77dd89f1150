package org.beamarchiver.transforms;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.beamarchiver.model.ArchivedPartition;
import org.beamarchiver.model.IsoWeek;
import org.beamarchiver.model.PartitionKey;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The delete's and restore's partition list goes through a file and comes back whole and exact. */
public class SelectArchivedTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void partitionsWithHostileIdsComeBackExactly() throws Exception {
    FileSystems.setDefaultPipelineOptions(PipelineOptionsFactory.create());
    String[] batches = {"plain", "tab\there", "new\nline", "../../evil", "100%", "批次-1", "a b", "", "back\\slash"};
    List<ArchivedPartition> partitions = new ArrayList<>();
    for (int i = 0; i < 2500; i++) {
      String batch = batches[i % batches.length] + (i / batches.length);
      partitions.add(
          new ArchivedPartition(
              "uuid-" + i, PartitionKey.of(batch, IsoWeek.parse(i % 2 == 0 ? "2020-W53" : "2021-W01")),
              "s3://bucket/root/archived-batches/t/" + batch + "-2021-01-" + i + ".csv.gz", i * 7L, i * 100L + 1,
              String.format("%064x", i)));
    }
    Path root = tmp.getRoot().toPath();
    SelectArchived select = SelectArchived.of(root.toString(), "run-1", partitions);
    PAssert.that(p.apply("SelectArchived", select)).containsInAnyOrder(partitions);
    p.run().waitUntilFinish();
    List<Path> lists;
    try (var s = Files.walk(root)) {
      lists = s.filter(f -> f.getFileName().toString().startsWith("partitions-")).toList();
    }
    assertEquals(1, lists.size());
    assertEquals("one line per partition", 2500, Files.readAllLines(lists.get(0)).size());
    assertTrue(lists.get(0).toString().contains("run-1"));
  }
}
