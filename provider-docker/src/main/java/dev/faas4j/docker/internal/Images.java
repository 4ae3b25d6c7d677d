package dev.faas4j.docker.internal;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.faas4j.api.FaasException;
import java.util.concurrent.TimeUnit;

/** Makes sure a function's image is on the engine, pulling it when the settings allow. */
final class Images {

  private final Engine engine;

  Images(Engine engine) {
    this.engine = engine;
  }

  /**
   * Returns once {@code image} is on the engine.
   *
   * @throws FaasException with reason {@code INVALID_FUNCTION} if it is missing and cannot be pulled
   */
  void ensure(String image) {
    DockerClient client = engine.client();
    Settings settings = engine.settings();
    try {
      client.inspectImageCmd(image).exec();
      return;
    } catch (NotFoundException e) {
      if (!settings.pullMissingImages()) {
        throw new FaasException(FaasException.Reason.INVALID_FUNCTION, "image '" + image + "' is not on the Docker"
            + " engine at " + settings.dockerHost() + " (pulling is off): build or load it there"
            + " (docker build / docker load), or fix the image name");
      }
    } catch (RuntimeException e) {
      throw engine.failure("inspect image '" + image + "'", e);
    }
    try {
      pull(client, image);
      client.inspectImageCmd(image).exec();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FaasException(FaasException.Reason.UNAVAILABLE, "interrupted while pulling image '" + image + "'", e);
    } catch (RuntimeException e) {
      throw new FaasException(FaasException.Reason.INVALID_FUNCTION, "image '" + image + "' is not on the Docker"
          + " engine and could not be pulled (" + Engine.rootMessage(e) + "): build or load it there"
          + " (docker build / docker load), or fix the image name", e);
    }
  }

  private static void pull(DockerClient client, String image) throws InterruptedException {
    String repository = image;
    String tag = null;
    if (!image.contains("@")) {
      int slash = image.lastIndexOf('/');
      int colon = image.lastIndexOf(':');
      if (colon > slash) {
        repository = image.substring(0, colon);
        tag = image.substring(colon + 1);
      } else {
        tag = "latest";
      }
    }
    var pull = client.pullImageCmd(repository);
    if (tag != null) {
      pull = pull.withTag(tag);
    }
    boolean done = pull.exec(new PullImageResultCallback()).awaitCompletion(10, TimeUnit.MINUTES);
    if (!done) {
      throw new IllegalStateException("the pull did not finish within 10 minutes");
    }
  }
}
