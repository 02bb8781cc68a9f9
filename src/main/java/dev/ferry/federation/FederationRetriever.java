package dev.ferry.federation;

import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.Resource;
import dev.ferry.config.FerryProperties;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URL;

/**
 * The one HTTP client Ferry uses to reach issuers: https only (unless
 * {@code ferry.federation.allow-insecure-http}), no redirects, bounded time and response size.
 */
final class FederationRetriever extends DefaultResourceRetriever {

    private final boolean allowInsecureHttp;

    FederationRetriever(FerryProperties.Federation federation) {
        super(
                (int) federation.connectTimeout().toMillis(),
                (int) federation.readTimeout().toMillis(),
                (int) federation.maxResponseSize().toBytes(),
                true);
        this.allowInsecureHttp = federation.allowInsecureHttp();
    }

    @Override
    public Resource retrieveResource(URL url) throws IOException {
        String scheme = url.getProtocol();
        if (!"https".equals(scheme) && !("http".equals(scheme) && allowInsecureHttp)) {
            throw new IOException("refusing to fetch " + url + ": only https is allowed");
        }
        return super.retrieveResource(url);
    }

    @Override
    protected HttpURLConnection openHTTPConnection(URL url) throws IOException {
        HttpURLConnection connection = super.openHTTPConnection(url);
        connection.setInstanceFollowRedirects(false);
        connection.setRequestProperty("Accept", "application/json");
        return connection;
    }
}
