package io.screenmesh.image.metadata;

import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import org.xml.sax.Attributes;
import org.xml.sax.InputSource;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Reads the text of an XMP packet: element text and property attributes, with sources named
 * by property ({@code xmp:dc:description}). The parser refuses DOCTYPEs and external entities
 * (no XXE, no entity expansion); a packet that does not parse is screened as its text with the
 * tags stripped, so malformed XML cannot hide an attack.
 */
public final class XmpText {

  private static final String RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
  private static final Pattern TAG = Pattern.compile("<[^>]*>");

  private XmpText() {}

  /** Adds the text of the XMP packet {@code xml} to {@code sink}. */
  public static void extract(String xml, TextSink sink) {
    Collector c = new Collector(sink);
    try {
      SAXParserFactory f = SAXParserFactory.newInstance();
      f.setNamespaceAware(true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature("http://xml.org/sax/features/external-general-entities", false);
      f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      SAXParser p = f.newSAXParser();
      p.parse(new InputSource(new StringReader(xml)), c);
    } catch (Exception e) {
      // What parsed before the error is already in the sink; the rest is screened as plain text.
      sink.note(new MetadataNote("xmp", MetadataNote.Kind.CORRUPT, "the XMP packet is not well-formed XML"));
      sink.add("xmp", stripTags(xml));
    }
  }

  /** The text of {@code xml} with everything between angle brackets removed. */
  public static String stripTags(String xml) {
    return TAG.matcher(xml).replaceAll(" ").replaceAll("\\s+", " ").strip();
  }

  /** Collects text per property: rdf containers and items are named by the property holding them. */
  private static final class Collector extends DefaultHandler {
    private final TextSink sink;
    private final Deque<String> properties = new ArrayDeque<>();
    private final Deque<StringBuilder> texts = new ArrayDeque<>();

    Collector(TextSink sink) {
      this.sink = sink;
    }

    @Override
    public void startElement(String uri, String localName, String qName, Attributes atts) {
      String property = RDF.equals(uri) && !properties.isEmpty() ? properties.peek() : "xmp:" + qName;
      properties.push(property);
      texts.push(new StringBuilder());
      for (int i = 0; i < atts.getLength(); i++) {
        String q = atts.getQName(i);
        if (RDF.equals(atts.getURI(i)) || q.startsWith("xmlns") || q.startsWith("xml:")) {
          continue;
        }
        sink.add("xmp:" + q, atts.getValue(i));
      }
    }

    @Override
    public void characters(char[] ch, int start, int length) {
      if (!texts.isEmpty()) {
        texts.peek().append(ch, start, length);
      }
    }

    @Override
    public void endElement(String uri, String localName, String qName) {
      String property = properties.pop();
      sink.add(property, texts.pop().toString());
    }
  }
}
