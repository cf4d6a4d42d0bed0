package io.mqchat.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UnsupportedEncodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Collections;

/**
 * Checks a request before anything reads it. An {@code Accept} header that is not a list of media types is
 * answered 400 (Spring MVC could then write no answer at all, not even the problem). A body must name a concrete media type: a wildcard
 * {@code Content-Type} such as {@code *}{@code /*} is answered 415 (Spring MVC would fail on it with an
 * internal error). And bodies are capped. A {@code Content-Length} over the cap is answered 413 before a byte of the body is
 * read; a body without a length (chunked) or longer than announced is read up to the cap, and reading
 * further fails with {@link BodyTooLargeException}, which {@link ProblemHandler} answers with 413. Either
 * way the connection is closed afterwards, so the server does not keep draining a large upload.
 */
public class RequestGuardFilter extends OncePerRequestFilter {

    private final long maxBytes;

    public RequestGuardFilter(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getContentLengthLong() > maxBytes) {
            response.setHeader(HttpHeaders.CONNECTION, "close");
            refuse(response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, BodyTooLargeException.detail(maxBytes));
            return;
        }
        if (!acceptParses(request)) {
            refuse(response, HttpServletResponse.SC_BAD_REQUEST, "The Accept header is not a list of media "
                    + "types: send Accept: application/json, or no Accept header.");
            return;
        }
        if (hasBody(request) && isWildcard(request.getContentType())) {
            refuse(response, HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE, "The Content-Type must "
                    + "name a concrete media type, not a wildcard: send the body as application/json.");
            return;
        }
        chain.doFilter(new Limited(request, maxBytes), response);
    }

    private static boolean acceptParses(HttpServletRequest request) {
        try {
            for (String accept : Collections.list(request.getHeaders(HttpHeaders.ACCEPT))) {
                MediaType.parseMediaTypes(accept);
            }
            return true;
        } catch (InvalidMediaTypeException e) {
            return false;
        }
    }

    private static boolean hasBody(HttpServletRequest request) {
        return request.getContentLengthLong() > 0 || request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
    }

    /** {@code *}{@code /*}, {@code application/*}: unparsable ones are left to Spring MVC (415 already). */
    private static boolean isWildcard(String contentType) {
        if (contentType == null) {
            return false;
        }
        try {
            MediaType type = MediaType.parseMediaType(contentType);
            return type.isWildcardType() || type.isWildcardSubtype();
        } catch (InvalidMediaTypeException unparsable) {
            return false;
        }
    }

    private static void refuse(HttpServletResponse response, int status, String detail) throws IOException {
        response.setStatus(status);
        response.setContentType(ProblemJson.MEDIA_TYPE);
        response.setCharacterEncoding(StandardCharsets.UTF_8);
        response.getWriter().write(ProblemJson.of(status, detail));
    }

    /** The request with its body stream counted. */
    private static final class Limited extends HttpServletRequestWrapper {

        private final long maxBytes;
        private ServletInputStream stream;

        Limited(HttpServletRequest request, long maxBytes) {
            super(request);
            this.maxBytes = maxBytes;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new CountingStream(super.getInputStream(), maxBytes);
            }
            return stream;
        }

        @Override
        public BufferedReader getReader() throws IOException {
            String encoding = getCharacterEncoding();
            Charset charset;
            try {
                charset = encoding != null ? Charset.forName(encoding) : StandardCharsets.UTF_8;
            } catch (IllegalArgumentException unknown) {
                throw new UnsupportedEncodingException(encoding);
            }
            return new BufferedReader(new InputStreamReader(getInputStream(), charset));
        }
    }

    private static final class CountingStream extends ServletInputStream {

        private final ServletInputStream in;
        private final long maxBytes;
        private long read;

        CountingStream(ServletInputStream in, long maxBytes) {
            this.in = in;
            this.maxBytes = maxBytes;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            // never ask for more than one byte past the cap, so a huge body is not buffered before it is refused
            long room = maxBytes - read + 1;
            int n = in.read(buffer, offset, (int) Math.min(length, Math.max(1, room)));
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws BodyTooLargeException {
            read += n;
            if (read > maxBytes) {
                throw new BodyTooLargeException(maxBytes);
            }
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }
    }
}
