package io.screenmesh.tests;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.fusion.v1.FusionCheckerServiceGrpc;
import io.screenmesh.fusion.v1.Part;
import io.screenmesh.fusion.v1.PartResult;
import io.screenmesh.fusion.v1.ScreenItemRequest;
import io.screenmesh.fusion.v1.ScreenItemResponse;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Builds front-door requests and reads responses and error statuses for the assertions. */
final class Screening {

  /** Deadline of one unary call in these tests: generous for a cold JVM, still bounded. */
  static final long CALL_DEADLINE_SECONDS = 20;

  private Screening() {}

  static Part text(String id, String text) {
    return Part.newBuilder().setId(id).setText(text).build();
  }

  static Part image(String id, byte[] data) {
    return Part.newBuilder().setId(id).setImage(ByteString.copyFrom(data)).build();
  }

  static Part audio(String id, byte[] data) {
    return Part.newBuilder().setId(id).setAudio(ByteString.copyFrom(data)).build();
  }

  static ScreenItemRequest item(String id, Part... parts) {
    return ScreenItemRequest.newBuilder().setId(id).addAllParts(List.of(parts)).build();
  }

  /** Screens one item through the front door with a bounded deadline. */
  static ScreenItemResponse screen(Mesh mesh, ScreenItemRequest request) {
    return FusionCheckerServiceGrpc.newBlockingStub(mesh.channel(MeshService.FUSION))
        .withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
        .screenItem(request);
  }

  /** Every finding of every part. */
  static List<Finding> findings(ScreenItemResponse r) {
    List<Finding> all = new ArrayList<>();
    for (PartResult p : r.getPartsList()) {
      all.addAll(p.getFindingsList());
    }
    return all;
  }

  /** The categories of every finding of every part. */
  static Set<Category> categories(ScreenItemResponse r) {
    Set<Category> c = EnumSet.noneOf(Category.class);
    findings(r).forEach(f -> c.add(f.getCategory()));
    return c;
  }

  /** The detector ids of every finding of every part. */
  static Set<String> detectors(ScreenItemResponse r) {
    return findings(r).stream().map(Finding::getDetector).collect(Collectors.toSet());
  }

  /** The result for one part, by id. */
  static PartResult part(ScreenItemResponse r, String partId) {
    return r.getPartsList().stream().filter(p -> p.getPartId().equals(partId)).findFirst()
        .orElseThrow(() -> new AssertionError("no result for part " + partId + " in " + r));
  }

  /** The {@code google.rpc.ErrorInfo} reason of a failed call, or null when it has none. */
  static String reason(StatusRuntimeException e) {
    com.google.rpc.Status s = StatusProto.fromThrowable(e);
    if (s == null) {
      return null;
    }
    for (var any : s.getDetailsList()) {
      if (any.is(ErrorInfo.class)) {
        try {
          return any.unpack(ErrorInfo.class).getReason();
        } catch (InvalidProtocolBufferException ex) {
          throw new AssertionError("unreadable ErrorInfo", ex);
        }
      }
    }
    return null;
  }

  /** A short description of a response for assertion messages. */
  static String describe(ScreenItemResponse r) {
    return r.getVerdict().getDecision() + " " + findings(r).stream()
        .map(f -> f.getDetector() + "/" + f.getCategory() + "/" + f.getSeverity() + "@" + f.getPartId())
        .toList();
  }
}
