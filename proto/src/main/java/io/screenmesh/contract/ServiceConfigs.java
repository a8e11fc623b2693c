package io.screenmesh.contract;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The screenmesh service config: per-method timeouts and retry policies for every service of
 * the contract, kept as data in {@value #RESOURCE} next to the {@code .proto} files.
 *
 * <p>Unary calls get a timeout sized for inline screening (text 2 s, image 5 s, audio and the
 * front door's {@code ScreenItem} 10 s); streams get none, since they last as long as their
 * caller feeds them. Every method retries only {@code UNAVAILABLE}, at most 3 attempts with a
 * short backoff: a peer that is down or restarting is worth a second try, a caller's bad input
 * or an overloaded peer ({@code RESOURCE_EXHAUSTED}) is not. A call's own deadline still wins
 * when it is shorter than the configured timeout.
 *
 * <pre>{@code
 * ManagedChannel ch = ServiceConfigs.apply(
 *     Grpc.newChannelBuilderForAddress(host, port, creds)).build();
 * }</pre>
 */
public final class ServiceConfigs {

  /** Where the service config lies on the classpath (inside the screenmesh-proto jar). */
  public static final String RESOURCE = "screenmesh/service-config.json";

  private ServiceConfigs() {}

  /**
   * Returns the service config in the form {@link ManagedChannelBuilder#defaultServiceConfig}
   * takes: nested maps and lists of {@code String}, {@code Double} and {@code Boolean}.
   *
   * @return an unmodifiable map, read anew on each call
   * @throws IllegalStateException if the resource is missing or is not valid JSON, which means
   *     a broken build of this artifact
   */
  public static Map<String, ?> defaultServiceConfig() {
    try (InputStream in = ServiceConfigs.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the classpath; is screenmesh-proto?");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  /**
   * Sets the screenmesh service config on a channel builder as its default and turns retries
   * on (grpc-java applies a config's retry policy only when retries are enabled).
   *
   * @param builder the channel builder
   * @param <T> the builder's type
   * @return {@code builder}
   * @throws IllegalStateException as {@link #defaultServiceConfig()}
   */
  public static <T extends ManagedChannelBuilder<?>> T apply(T builder) {
    // Builders configure themselves in place; T keeps the caller's builder type, wildcard or not.
    builder.defaultServiceConfig(defaultServiceConfig());
    builder.enableRetry();
    return builder;
  }

  /**
   * Parses a service-config JSON document into maps and lists.
   *
   * @param json the document; its top level must be an object
   * @return an unmodifiable map
   * @throws IllegalStateException if {@code json} is not a JSON object
   */
  static Map<String, ?> parse(String json) {
    Struct.Builder root = Struct.newBuilder();
    try {
      JsonFormat.parser().merge(json, root);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("service config is not a JSON object: " + e.getMessage(), e);
    }
    return toMap(root.build());
  }

  private static Map<String, ?> toMap(Struct struct) {
    Map<String, Object> out = new LinkedHashMap<>();
    struct.getFieldsMap().forEach((k, v) -> out.put(k, toJava(v)));
    return Collections.unmodifiableMap(out);
  }

  private static List<?> toList(ListValue list) {
    List<Object> out = new ArrayList<>(list.getValuesCount());
    list.getValuesList().forEach(v -> out.add(toJava(v)));
    return Collections.unmodifiableList(out);
  }

  // grpc-java's service-config reader expects JSON numbers as Double, as its own parser makes them.
  private static Object toJava(Value v) {
    return switch (v.getKindCase()) {
      case NUMBER_VALUE -> v.getNumberValue();
      case STRING_VALUE -> v.getStringValue();
      case BOOL_VALUE -> v.getBoolValue();
      case STRUCT_VALUE -> toMap(v.getStructValue());
      case LIST_VALUE -> toList(v.getListValue());
      case NULL_VALUE, KIND_NOT_SET -> null;
    };
  }
}
