package dev.faas4j.core;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.domain.ThrowsDeclaration;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionStore;
import dev.faas4j.core.internal.routing.Route;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The package layering of faas-core, as described in its package-info: arrows only downward, no
 * package cycle, and no internal type in the public API.
 *
 * <pre>
 * dev.faas4j.core (public API)  ──► engine, admin, control, routing, runtime, proxy, testing
 *   internal.engine             ──► everything below but admin (it wires them together)
 *   internal.admin              ──► control, secrets, async, proxy, internal (Json)
 *   internal.async              ──► routing, control, proxy, internal (Json)
 *   internal.secrets            ──► (nothing of faas-core)
 *   internal.routing            ──► control, runtime, proxy
 *   internal.control            ──► runtime
 *   internal.runtime            ──► (nothing of faas-core)
 *   internal.proxy              ──► http, internal (Json)
 *   internal.http               ──► (nothing of faas-core, not even telemetry)
 *   internal (Json), testing    ──► (nothing of faas-core)
 *   internal.telemetry          ◄── anyone; ──► nothing
 * </pre>
 *
 * <p>Micrometer is optional: only {@code internal.telemetry} names it, and the builder's
 * {@code meterRegistry} method, which takes the application's registry.
 */
class LayeringTest {

  /** faas-core's main classes (its tests left out). */
  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.faas4j.core");

  private static final String CORE = "dev.faas4j.core";
  private static final String INTERNAL = "dev.faas4j.core.internal";

  private static final ArchRule packagesDependOnlyDownward = layeredArchitecture()
      .consideringOnlyDependenciesInLayers()
      .layer("API").definedBy(CORE)
      .layer("Engine").definedBy(INTERNAL + ".engine..")
      .layer("Admin").definedBy(INTERNAL + ".admin..")
      .layer("Routing").definedBy(INTERNAL + ".routing..")
      .layer("Control").definedBy(INTERNAL + ".control..")
      .layer("Runtime").definedBy(INTERNAL + ".runtime..")
      .layer("Secrets").definedBy(INTERNAL + ".secrets..")
      .layer("Async").definedBy(INTERNAL + ".async..")
      .layer("Proxy").definedBy(INTERNAL + ".proxy..")
      .layer("Http").definedBy(INTERNAL + ".http..")
      .layer("Json").definedBy(INTERNAL)
      .optionalLayer("Telemetry").definedBy(INTERNAL + ".telemetry..")
      .layer("Testing").definedBy(CORE + ".testing..")
      .whereLayer("API").mayNotBeAccessedByAnyLayer()
      .whereLayer("Engine").mayOnlyBeAccessedByLayers("API")
      .whereLayer("Engine").mayOnlyAccessLayers("Control", "Routing", "Runtime", "Secrets", "Async", "Proxy", "Json",
          "Telemetry", "Testing")
      .whereLayer("Admin").mayOnlyAccessLayers("Control", "Secrets", "Async", "Proxy", "Json", "Telemetry")
      .whereLayer("Async").mayOnlyAccessLayers("Routing", "Control", "Proxy", "Json", "Telemetry")
      .whereLayer("Secrets").mayOnlyAccessLayers("Telemetry")
      .whereLayer("Routing").mayOnlyAccessLayers("Control", "Runtime", "Proxy", "Telemetry")
      .whereLayer("Control").mayOnlyAccessLayers("Runtime", "Telemetry")
      .whereLayer("Runtime").mayOnlyAccessLayers("Telemetry")
      .whereLayer("Proxy").mayOnlyAccessLayers("Http", "Json", "Telemetry")
      .whereLayer("Http").mayNotAccessAnyLayer()
      .whereLayer("Json").mayNotAccessAnyLayer()
      .whereLayer("Telemetry").mayNotAccessAnyLayer()
      .whereLayer("Testing").mayNotAccessAnyLayer();

  private static final ArchRule noPackageCycles = slices().matching("dev.faas4j.(**)").should().beFreeOfCycles();

  private static final ArchRule httpKnowsNothingOfFunctions = noClasses()
      .that().resideInAPackage(INTERNAL + ".http..")
      .should().dependOnClassesThat(resideInAPackage("dev.faas4j..").and(resideOutsideOfPackage(INTERNAL + ".http..")))
      .because("the upstream HTTP client carries bytes for the proxy; functions are the layers above it");

  private static final ArchRule proxyReachesNoProviderOrStore = noClasses()
      .that().resideInAPackage(INTERNAL + ".proxy..")
      .should().dependOnClassesThat().areAssignableTo(FunctionProvider.class)
      .orShould().dependOnClassesThat().areAssignableTo(FunctionStore.class)
      .because("the proxy is handed an endpoint; providers and stores are reached through runtime and control");

  private static final ArchRule onlyTelemetryNamesMicrometer = noClasses()
      .that().resideOutsideOfPackage(INTERNAL + ".telemetry..")
      .and().doNotHaveFullyQualifiedName(FaasBuilder.class.getName())
      .should().dependOnClassesThat().resideInAPackage("io.micrometer..")
      .because("Micrometer is an optional dependency: the core reports through telemetry's Metrics interface");

  private static final ArchRule publicApiExposesNoInternalType = classes()
      .that().resideInAPackage(CORE).and().arePublic()
      .should(exposeNoInternalType());

  @Test
  void packagesDependOnlyDownward() {
    packagesDependOnlyDownward.check(MAIN);
  }

  @Test
  void noPackageDependsOnItselfThroughOthers() {
    noPackageCycles.check(MAIN);
  }

  @Test
  void theHttpClientKnowsNothingOfFunctions() {
    httpKnowsNothingOfFunctions.check(MAIN);
  }

  @Test
  void theProxyReachesNoProviderOrStore() {
    proxyReachesNoProviderOrStore.check(MAIN);
  }

  @Test
  void onlyTelemetryNamesMicrometer() {
    onlyTelemetryNamesMicrometer.check(MAIN);
  }

  @Test
  void thePublicApiExposesNoInternalType() {
    publicApiExposesNoInternalType.check(MAIN);
  }

  @Test
  void theApiRuleSeesAnInternalTypeInAPublicSignature() {
    JavaClasses leaky = new ClassFileImporter().importClasses(LeakyApi.class);

    List<String> violations = new ArrayList<>();
    publicApiExposesNoInternalType.evaluate(leaky).getFailureReport().getDetails().forEach(violations::add);

    assertThat(violations)
        .as("a public method returning Route, and a protected field of type List<Route>, are both reported")
        .hasSize(2);
  }

  /** A public API class that leaks an internal type twice; only the private field is fine. */
  public static class LeakyApi {
    protected List<Route> routes;
    private Route hidden;

    public Route route() {
      return hidden;
    }
  }

  /**
   * Fails a class whose superclass, interfaces, or public or protected fields, methods and
   * constructors (parameters, return type, thrown types, type arguments included) name a type of
   * {@code dev.faas4j.core.internal}.
   */
  private static ArchCondition<JavaClass> exposeNoInternalType() {
    return new ArchCondition<>("expose no type of " + INTERNAL + " in a public or protected signature") {
      @Override
      public void check(JavaClass type, ConditionEvents events) {
        type.getSuperclass().ifPresent(superclass -> report(type, "extends", superclass, events));
        type.getInterfaces().forEach(i -> report(type, "implements", i, events));
        for (JavaField field : type.getFields()) {
          if (visible(field)) {
            report(type, "field " + field.getName(), field.getType(), events);
          }
        }
        for (JavaCodeUnit unit : type.getCodeUnits()) {
          if (visible(unit)) {
            String where = unit.getFullName();
            report(type, where + " returns", unit.getReturnType(), events);
            unit.getParameterTypes().forEach(p -> report(type, where + " takes", p, events));
            for (ThrowsDeclaration<?> thrown : unit.getThrowsClause()) {
              report(type, where + " throws", thrown.getRawType(), events);
            }
          }
        }
      }
    };
  }

  private static boolean visible(JavaMember member) {
    return member.getModifiers().contains(JavaModifier.PUBLIC) || member.getModifiers().contains(JavaModifier.PROTECTED);
  }

  private static void report(JavaClass owner, String where, JavaType exposed, ConditionEvents events) {
    for (JavaClass involved : exposed.getAllInvolvedRawTypes()) {
      if (involved.getPackageName().startsWith(INTERNAL)) {
        events.add(SimpleConditionEvent.violated(owner,
            owner.getName() + ": " + where + " " + involved.getName() + ", an internal type"));
      }
    }
  }
}
