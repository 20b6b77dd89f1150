package org.beamarchiver.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.runners.flink.FlinkRunner;
import org.beamarchiver.transforms.WritePartitionFiles;
import org.junit.jupiter.api.Test;

/** The archive's graph shape: chosen once from --shuffle, the runner and the source. */
class GraphShapeTest {
  @Test
  void autoSpillsOnTheDirectRunnerAndFusesTheReadWhereTheSourceScansSlices() {
    assertEquals(DirectRunner.class.getName(), GraphShape.DIRECT_RUNNER, "the runner the AUTO rule names exists");
    assertEquals(GraphShape.FUSED_SPILL, GraphShape.of(null, DirectRunner.class, true));
    assertEquals(GraphShape.FUSED_SPILL, GraphShape.of("auto", DirectRunner.class, true));
    assertEquals(GraphShape.SPILL, GraphShape.of("AUTO", DirectRunner.class, false));
    assertEquals(GraphShape.RUNNER, GraphShape.of("AUTO", FlinkRunner.class, true));
    assertEquals(GraphShape.RUNNER, GraphShape.of(null, FlinkRunner.class, false));
  }

  @Test
  void anExplicitShuffleWinsOverTheRunner() {
    assertEquals(GraphShape.RUNNER, GraphShape.of("RUNNER", DirectRunner.class, true));
    assertEquals(GraphShape.FUSED_SPILL, GraphShape.of(" spill ", FlinkRunner.class, true));
    assertEquals(GraphShape.SPILL, GraphShape.of("SPILL", FlinkRunner.class, false));
    assertEquals(WritePartitionFiles.Shuffle.SPILL, GraphShape.FUSED_SPILL.shuffle());
    assertEquals(WritePartitionFiles.Shuffle.SPILL, GraphShape.SPILL.shuffle());
    assertEquals(WritePartitionFiles.Shuffle.RUNNER, GraphShape.RUNNER.shuffle());
  }

  @Test
  void aWrongShuffleNamesTheOptionAndTheAllowedValues() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> GraphShape.of("FAST", DirectRunner.class, true));
    assertTrue(e.getMessage().contains("--shuffle=FAST") && e.getMessage().contains("AUTO, RUNNER, SPILL"), e.getMessage());
  }
}
