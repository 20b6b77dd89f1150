package org.beamarchiver.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;

/** The step-name check itself: it passes named graphs and names each kind of unstable name. */
class StepNamesTest {

  /** One of "our" composites (its class is in org.beamarchiver), with named steps. */
  static final class Tidy extends PTransform<PCollection<String>, PCollection<String>> {
    @Override
    public PCollection<String> expand(PCollection<String> in) {
      return in.apply("UpperCase", MapElements.into(TypeDescriptors.strings()).via((String s) -> s.toUpperCase(Locale.ROOT)))
          .apply("LowerCase", MapElements.into(TypeDescriptors.strings()).via((String s) -> s.toLowerCase(Locale.ROOT)));
    }
  }

  /** One of "our" composites applying steps without names, twice under one name, and badly named. */
  static final class Sloppy extends PTransform<PCollection<String>, PCollection<String>> {
    @Override
    public PCollection<String> expand(PCollection<String> in) {
      return in.apply(MapElements.into(TypeDescriptors.strings()).via((String s) -> s + "!"))
          .apply(
              ParDo.of(
                  new DoFn<String, String>() {
                    @ProcessElement
                    public void process(@Element String s, OutputReceiver<String> out) {
                      out.output(s);
                    }
                  }))
          .apply("Twice", MapElements.into(TypeDescriptors.strings()).via((String s) -> s))
          .apply("Twice", MapElements.into(TypeDescriptors.strings()).via((String s) -> s))
          .apply("trim_it", MapElements.into(TypeDescriptors.strings()).via(String::trim));
    }
  }

  @Test
  void namedStepsPassAndBeamsInnerStepsAreNotChecked() {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    p.apply("StartWithWords", Create.of("a", "b")).apply("TidyWords", new Tidy());

    StepNames.Result r = StepNames.of(p);

    assertEquals(List.of(), r.unstable());
    assertEquals(
        List.of("StartWithWords", "TidyWords", "TidyWords/UpperCase", "TidyWords/LowerCase"), r.checked());
  }

  @Test
  void namesEachKindOfUnstableName() {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    p.apply(Create.of("a", "b")).apply("Sloppy", new Sloppy());
    p.apply("MoreWords", Create.of("c")).apply(MapElements.into(TypeDescriptors.strings()).via((String s) -> s));

    StepNames.Result r = StepNames.of(p);

    assertEquals(
        List.of(
            "Create.Values",
            "Sloppy/MapElements",
            "Sloppy/ParDo(Anonymous)",
            "Sloppy/Twice2",
            "Sloppy/trim_it",
            "MapElements"),
        r.unstable().stream().map(u -> u.substring(0, u.indexOf(": "))).toList(),
        String.join("\n", r.unstable()));
  }
}
