package org.beamarchiver.support;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.transforms.PTransform;

/**
 * Walks a built pipeline graph and checks the step names our code gives: every transform applied
 * at the top level or directly inside one of our composites (a class in {@code org.beamarchiver})
 * must have a full name made only of explicit PascalCase names. Beam's own inner steps of its
 * composites (Reshuffle's, TextIO's, ParDo's {@code ParMultiDo(...)}) are not ours and are not
 * checked.
 *
 * <p>A name is unstable when a segment is not PascalCase ({@code ParDo(Anonymous)},
 * {@code Create.Values}, {@code Combine.perKey(SumLong)}, anything with {@code $} or {@code /}
 * inside), ends in a digit (Beam's suffix for a duplicate name: {@code Foo2}), or is the default
 * name of a Beam transform applied without a name ({@code MapElements}, {@code GroupByKey},
 * {@code Impulse}). An unnamed apply of one of our own composites gets its class's name, which the
 * graph cannot tell from an explicit one; that is the one case this check lets through.
 */
public final class StepNames {
  private static final Pattern PASCAL_CASE = Pattern.compile("(?:[A-Z][a-z0-9]*)+");
  private static final String OURS = "org.beamarchiver.";

  /**
   * @param checked full names of the transforms our code applied, in topological order
   * @param unstable those among them whose names are not explicit PascalCase names, with why
   */
  public record Result(List<String> checked, List<String> unstable) {}

  private StepNames() {}

  public static Result of(Pipeline pipeline) {
    List<String> checked = new ArrayList<>();
    List<String> unstable = new ArrayList<>();
    pipeline.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
            if (!node.isRootNode()) {
              check(node);
            }
            return CompositeBehavior.ENTER_TRANSFORM;
          }

          @Override
          public void visitPrimitiveTransform(TransformHierarchy.Node node) {
            check(node);
          }

          private void check(TransformHierarchy.Node node) {
            TransformHierarchy.Node parent = node.getEnclosingNode();
            if (!parent.isRootNode() && !ours(parent.getTransform())) {
              return; // a step inside a Beam composite: Beam's name, not ours
            }
            String full = node.getFullName();
            checked.add(full);
            String prefix = parent.isRootNode() ? "" : parent.getFullName() + "/";
            String own = full.startsWith(prefix) ? full.substring(prefix.length()) : full;
            String why = null;
            for (String segment : full.split("/", -1)) {
              if (!PASCAL_CASE.matcher(segment).matches()) {
                why = "'" + segment + "' is not a PascalCase name";
                break;
              }
              if (Character.isDigit(segment.charAt(segment.length() - 1))) {
                why = "'" + segment + "' ends in a digit (Beam's suffix for a duplicate name)";
                break;
              }
            }
            PTransform<?, ?> t = node.getTransform();
            if (why == null && !ours(t) && own.equals(t.getName())) {
              why = "'" + own + "' is the default name of " + t.getClass().getName() + " (applied without a name)";
            }
            if (why != null) {
              unstable.add(full + ": " + why);
            }
          }
        });
    return new Result(List.copyOf(checked), List.copyOf(unstable));
  }

  private static boolean ours(PTransform<?, ?> transform) {
    return transform != null && transform.getClass().getName().startsWith(OURS);
  }
}
