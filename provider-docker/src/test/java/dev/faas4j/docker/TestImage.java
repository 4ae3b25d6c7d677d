package dev.faas4j.docker;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The test engine and the busybox function image for one test class: built before its first
 * test, removed after its last, and then the engine is checked for anything the class left behind.
 * Register it as a static field with {@code @RegisterExtension}. When no engine is reachable,
 * {@link #engine()} is null and {@link RequiresDocker} decides whether that skips or fails.
 */
public final class TestImage implements BeforeAllCallback, AfterAllCallback {

  private TestEngine engine;
  private String image;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    engine = TestEngine.connectOrNull();
    if (engine != null) {
      image = engine.buildFunctionImage();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (engine == null) {
      return;
    }
    try {
      engine.removeImage(image);
      engine.assertNothingLeft();
    } finally {
      engine.close();
    }
  }

  /** The engine, or null when none is reachable. */
  public TestEngine engine() {
    return engine;
  }

  /** The name of the function image built for this class. */
  public String image() {
    return image;
  }
}
