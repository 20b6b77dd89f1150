package org.beamarchiver;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package layout is the architecture: dependencies point one way, from the commands down to
 * the model, and no package reaches up or in a circle.
 *
 * <pre>
 * commands   cli, tools
 * pipelines  pipelines, report, status
 * steps      control, transforms, integrity
 * io         io (the source seam io.source and its kinds io.cassandra, io.jdbc; io.store, io.format), ledger, notify
 * base       model, spec, options, retry, sql
 * </pre>
 */
class LayersTest {
  static JavaClasses classes;

  @BeforeAll
  static void load() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.beamarchiver");
  }

  @Test
  void everyLayerUsesOnlyTheLayersBelowIt() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("commands").definedBy("org.beamarchiver.cli..", "org.beamarchiver.tools..", "org.beamarchiver.bench..")
        .layer("pipelines").definedBy("org.beamarchiver.pipelines..", "org.beamarchiver.report..", "org.beamarchiver.status..")
        .layer("steps").definedBy("org.beamarchiver.control..", "org.beamarchiver.transforms..", "org.beamarchiver.integrity..")
        .layer("io").definedBy("org.beamarchiver.io..", "org.beamarchiver.ledger..", "org.beamarchiver.notify..")
        .layer("base")
        .definedBy(
            "org.beamarchiver.model..", "org.beamarchiver.spec..", "org.beamarchiver.options..",
            "org.beamarchiver.retry..", "org.beamarchiver.sql..")
        .whereLayer("commands").mayNotBeAccessedByAnyLayer()
        .whereLayer("pipelines").mayOnlyBeAccessedByLayers("commands")
        .whereLayer("steps").mayOnlyBeAccessedByLayers("commands", "pipelines")
        .whereLayer("io").mayOnlyBeAccessedByLayers("commands", "pipelines", "steps")
        .check(classes);
  }

  @Test
  void theLedgerAndTheStoresDoNotKnowEachOther() {
    com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses()
        .that().resideInAPackage("org.beamarchiver.ledger..")
        .should().dependOnClassesThat().resideInAPackage("org.beamarchiver.io..")
        .check(classes);
    com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses()
        .that().resideInAPackage("org.beamarchiver.io..")
        .should().dependOnClassesThat().resideInAPackage("org.beamarchiver.ledger..")
        .check(classes);
  }

  @Test
  void pipelinesAndTransformsNameNoSourceKind() {
    com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses()
        .that().resideInAnyPackage("org.beamarchiver.pipelines..", "org.beamarchiver.transforms..")
        .should().dependOnClassesThat().resideInAnyPackage("org.beamarchiver.io.cassandra..", "org.beamarchiver.io.jdbc..")
        .because("a source kind plugs in behind io.source.LiveSource, chosen once by io.LiveSources")
        .check(classes);
  }

  @Test
  void noPackageIsInACycle() {
    slices().matching("org.beamarchiver.(**)").should().beFreeOfCycles().check(classes);
  }
}
