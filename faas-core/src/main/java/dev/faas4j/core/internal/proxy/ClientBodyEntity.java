package dev.faas4j.core.internal.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hc.core5.http.io.entity.AbstractHttpEntity;

/**
 * The client's request body as HttpClient's entity: streamed once, never buffered whole, and
 * flushed upstream whenever the client has nothing more buffered, so a slowly sent body reaches
 * the function as it arrives instead of waiting for HttpClient's buffers to fill. Not repeatable,
 * not thread-safe.
 */
final class ClientBodyEntity extends AbstractHttpEntity {

  private static final int BUFFER_SIZE = 16 * 1024;

  private final ClientBodyInputStream clientToProxyBody;
  private final long length;

  /**
   * @param clientToProxyBody the client's body
   * @param length the declared length, or -1 to send it chunked
   */
  ClientBodyEntity(ClientBodyInputStream clientToProxyBody, long length) {
    super((String) null, null, length < 0);
    this.clientToProxyBody = clientToProxyBody;
    this.length = length;
  }

  @Override
  public boolean isRepeatable() {
    return false;
  }

  @Override
  public long getContentLength() {
    return length;
  }

  @Override
  public InputStream getContent() {
    return clientToProxyBody;
  }

  @Override
  public boolean isStreaming() {
    return true;
  }

  @Override
  public void writeTo(OutputStream proxyToServerBody) throws IOException {
    byte[] buffer = new byte[BUFFER_SIZE];
    long remaining = length;
    while (remaining != 0) {
      int wanted = remaining < 0 ? buffer.length : (int) Math.min(buffer.length, remaining);
      int n = clientToProxyBody.read(buffer, 0, wanted);
      if (n < 0) {
        if (remaining > 0) {
          throw new ClientBodyInputStream.ClientReadException(
              new IOException("the client's body ended " + remaining + " bytes early"));
        }
        break;
      }
      proxyToServerBody.write(buffer, 0, n);
      if (remaining > 0) {
        remaining -= n;
      }
      if (remaining != 0 && clientToProxyBody.available() == 0) {
        proxyToServerBody.flush();
      }
    }
    // HttpClient flushes the end of the message itself
  }

  @Override
  public void close() {
    // the servlet container owns the client's stream
  }
}
