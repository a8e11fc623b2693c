package io.screenmesh.services.common.auth;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import io.screenmesh.services.common.GrpcErrors;
import io.screenmesh.services.common.ScreeningException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Admits only the mesh identities in {@code screenmesh.auth.allowed-clients}: a call's client
 * certificate (mutual TLS, already verified against the mesh CA by the TLS layer) must carry
 * one of them as a subject alternative name, a URI ({@code spiffe://screenmesh/fusion-checker})
 * or a DNS name. A modality service lists the front door (and text-screening also image- and
 * audio-screening, which send it derived text), so a certificate issued to a CLI, a test or
 * any other client of the same CA cannot call it directly and skip the front door.
 *
 * <p>No client certificate: UNAUTHENTICATED ({@code CLIENT_CERTIFICATE_MISSING}); one that
 * names no allowed identity: PERMISSION_DENIED ({@code CLIENT_NOT_ALLOWED}). Health and
 * reflection stay open, so probes and tooling work with any certificate of the CA. Without the
 * property every client that passed the TLS layer is admitted.
 */
@ApplicationScoped
@GlobalInterceptor
public class ClientIdentityInterceptor implements ServerInterceptor {

  private static final Logger LOG = Logger.getLogger(ClientIdentityInterceptor.class);
  /** The SAN types that name an identity: 2 dNSName, 6 uniformResourceIdentifier (RFC 5280). */
  private static final Set<Integer> NAME_TYPES = Set.of(2, 6);

  private final Set<String> allowed;

  /** Reads {@code screenmesh.auth.allowed-clients} (comma-separated SAN values). */
  @Inject
  public ClientIdentityInterceptor(@ConfigProperty(name = "screenmesh.auth.allowed-clients") Optional<List<String>> allowed) {
    this(Set.copyOf(allowed.orElse(List.of()).stream().map(String::strip).filter(s -> !s.isEmpty()).toList()));
    if (!this.allowed.isEmpty()) {
      LOG.infof("mesh identities admitted: %s", this.allowed);
    }
  }

  /** Admits the identities in {@code allowed}; an empty set admits every client. */
  public ClientIdentityInterceptor(Set<String> allowed) {
    this.allowed = Set.copyOf(allowed);
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    String service = call.getMethodDescriptor().getServiceName();
    if (allowed.isEmpty() || service != null
        && (service.startsWith("grpc.health.") || service.startsWith("grpc.reflection."))) {
      return next.startCall(call, headers);
    }
    try {
      check(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
    } catch (ScreeningException e) {
      var sre = GrpcErrors.toStatus(e);
      call.close(sre.getStatus(), sre.getTrailers() == null ? new Metadata() : sre.getTrailers());
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
  }

  private void check(SSLSession session) {
    Certificate[] chain;
    try {
      chain = session == null ? null : session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      chain = null;
    }
    if (chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
      throw new ScreeningException(Status.Code.UNAUTHENTICATED, "CLIENT_CERTIFICATE_MISSING",
          "this service admits mesh clients only: present a client certificate");
    }
    List<String> names = names(leaf);
    if (names.stream().noneMatch(allowed::contains)) {
      LOG.debugf("refused client certificate %s with names %s", leaf.getSubjectX500Principal(), names);
      throw new ScreeningException(Status.Code.PERMISSION_DENIED, "CLIENT_NOT_ALLOWED",
          "this service admits only the mesh identities configured for it; the client certificate names none");
    }
  }

  /** The DNS and URI subject alternative names of {@code cert}. */
  static List<String> names(X509Certificate cert) {
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      return sans == null ? List.of() : sans.stream()
          .filter(e -> e.size() >= 2 && e.get(0) instanceof Integer t && NAME_TYPES.contains(t) && e.get(1) instanceof String)
          .map(e -> (String) e.get(1))
          .toList();
    } catch (CertificateParsingException e) {
      return List.of();
    }
  }
}
