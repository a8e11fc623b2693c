package io.screenmesh.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ModalityChannelConfigTest {

  @Test
  void modalityClientsGetTheContractsServiceConfig() {
    for (String client : List.of("text", "image", "audio")) {
      Map<String, Object> config = ModalityChannelConfig.serviceConfigFor(client);
      assertTrue(config.get("methodConfig") instanceof List<?> l && !l.isEmpty(), client + ": " + config);
    }
  }

  @Test
  void otherClientsAreLeftAlone() {
    assertEquals(Map.of(), ModalityChannelConfig.serviceConfigFor("someone-else"));
  }

  @Test
  void retriesAreOnForEveryModalityClient() throws IOException {
    Properties p = new Properties();
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("application.properties")) {
      p.load(in);
    }
    for (String client : ModalityChannelConfig.MODALITY_CLIENTS) {
      assertEquals("true", p.getProperty("quarkus.grpc.clients." + client + ".retry"),
          "without it grpc-java ignores the service config's retry policy for " + client);
    }
  }
}
