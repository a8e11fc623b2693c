package io.screenmesh.tests;

/** The four services of the mesh, named as their Maven modules and packaged jars are. */
public enum MeshService {
  /** The text-screening service. */
  TEXT("text-screening"),
  /** The image-screening service; calls text-screening. */
  IMAGE("image-screening"),
  /** The audio-screening service; calls text-screening. */
  AUDIO("audio-screening"),
  /** The front door; calls the three modality services. */
  FUSION("fusion-checker");

  private final String module;

  MeshService(String module) {
    this.module = module;
  }

  /** The module directory under {@code services/}, also the name of its log file. */
  public String module() {
    return module;
  }
}
