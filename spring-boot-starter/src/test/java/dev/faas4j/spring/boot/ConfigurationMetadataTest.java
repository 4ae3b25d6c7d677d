package dev.faas4j.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The configuration metadata the annotation processor generated into the starter's jar, which IDEs
 * read to complete and document {@code faas4j.*} properties: every property is there, with a
 * description and its default.
 */
class ConfigurationMetadataTest {

  @Test
  void everyPropertyIsDescribed() throws Exception {
    JsonNode metadata;
    try (InputStream in = FaasProperties.class.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("generated metadata on the classpath").isNotNull();
      metadata = new ObjectMapper().readTree(in);
    }
    List<String> names = new ArrayList<>();
    for (JsonNode property : metadata.path("properties")) {
      String name = property.path("name").asText();
      names.add(name);
      assertThat(property.path("description").asText()).as("description of %s", name).hasSizeGreaterThan(20);
    }
    assertThat(names).contains("faas4j.data-dir", "faas4j.domain", "faas4j.mount-path", "faas4j.public-base-url",
        "faas4j.provider", "faas4j.admin.enabled", "faas4j.admin.path", "faas4j.admin.token",
        "faas4j.admin.allow-unauthenticated", "faas4j.store.type", "faas4j.workerd.binary",
        "faas4j.traffic.max-in-flight", "faas4j.traffic.sticky-header", "faas4j.async.workers",
        "faas4j.async.queue-depth", "faas4j.async.lease", "faas4j.async.callback-allow", "faas4j.secret-key",
        "faas4j.frozen-timeout", "faas4j.frozen-memory-budget");
    for (JsonNode property : metadata.path("properties")) {
      if (property.path("name").asText().equals("faas4j.admin.path")) {
        assertThat(property.path("defaultValue").asText()).isEqualTo("/faas4j/api");
      }
    }
  }
}
