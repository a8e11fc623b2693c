package io.screenmesh.image;

import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadProgressListener;

/**
 * An {@link IIOReadProgressListener} that hears only how far the image read has got: the start
 * reports 0 %, each row (or scan) its percentage; thumbnails and sequences are ignored.
 */
abstract class ReadProgress implements IIOReadProgressListener {

  /** Called as the read of an image starts (with 0) and as it advances. */
  abstract void progress(ImageReader source, float percentageDone);

  @Override
  public final void imageStarted(ImageReader source, int imageIndex) {
    progress(source, 0f);
  }

  @Override
  public final void imageProgress(ImageReader source, float percentageDone) {
    progress(source, percentageDone);
  }

  @Override
  public void imageComplete(ImageReader source) {}

  @Override
  public void readAborted(ImageReader source) {}

  @Override
  public final void sequenceStarted(ImageReader source, int minIndex) {}

  @Override
  public final void sequenceComplete(ImageReader source) {}

  @Override
  public final void thumbnailStarted(ImageReader source, int imageIndex, int thumbnailIndex) {}

  @Override
  public final void thumbnailProgress(ImageReader source, float percentageDone) {}

  @Override
  public final void thumbnailComplete(ImageReader source) {}
}
