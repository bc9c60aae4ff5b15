<?xml version="1.0" encoding="utf-8"?>
<!-- Byline: an RSS 2.0 or Atom feed opened in a browser, shown as a page that says what a feed
     is and lists its items (posts, comments, corrections). Feed readers ignore this; browsers
     apply it because the feed points here with <?xml-stylesheet?> (byline/core/feedwriters.py),
     pick up the site's stylesheet named by the feed's <?byline-stylesheet?> instruction, and
     the items' name and the words of the link back from its <?byline-feed-page?>. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="utf-8" indent="yes" doctype-system="about:legacy-compat"/>

  <xsl:variable name="css" select="substring-before(substring-after(/processing-instruction('byline-stylesheet'), 'href=&quot;'), '&quot;')"/>
  <xsl:variable name="page" select="/processing-instruction('byline-feed-page')"/>
  <xsl:variable name="items">
    <xsl:choose>
      <xsl:when test="contains($page, 'items=&quot;')"><xsl:value-of select="substring-before(substring-after($page, 'items=&quot;'), '&quot;')"/></xsl:when>
      <xsl:otherwise>posts</xsl:otherwise>
    </xsl:choose>
  </xsl:variable>
  <xsl:variable name="site-link">
    <xsl:choose>
      <xsl:when test="contains($page, 'site-link=&quot;')"><xsl:value-of select="substring-before(substring-after($page, 'site-link=&quot;'), '&quot;')"/></xsl:when>
      <xsl:otherwise>Read the <xsl:value-of select="$items"/> on the site</xsl:otherwise>
    </xsl:choose>
  </xsl:variable>
  <!-- Characters of an item's description shown at most. XSLT 1.0 reads text only by
       recursion (a level per tag, entity or word below), and a browser gives up on a deep
       one: the bound keeps a long comment from breaking the page. -->
  <xsl:variable name="excerpt-length" select="600"/>
  <xsl:variable name="is-atom" select="boolean(/atom:feed)"/>
  <xsl:variable name="title">
    <xsl:choose>
      <xsl:when test="$is-atom"><xsl:value-of select="/atom:feed/atom:title"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="/rss/channel/title"/></xsl:otherwise>
    </xsl:choose>
  </xsl:variable>
  <xsl:variable name="site">
    <xsl:choose>
      <xsl:when test="$is-atom"><xsl:value-of select="/atom:feed/atom:link[@rel='alternate' or not(@rel)][1]/@href"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="/rss/channel/link"/></xsl:otherwise>
    </xsl:choose>
  </xsl:variable>
  <xsl:variable name="self">
    <xsl:choose>
      <xsl:when test="$is-atom"><xsl:value-of select="/atom:feed/atom:link[@rel='self']/@href"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="/rss/channel/atom:link[@rel='self']/@href"/></xsl:otherwise>
    </xsl:choose>
  </xsl:variable>
  <xsl:variable name="language">
    <xsl:choose>
      <xsl:when test="/rss/channel/language"><xsl:value-of select="substring-before(concat(/rss/channel/language, '-'), '-')"/></xsl:when>
      <xsl:when test="/atom:feed/@xml:lang"><xsl:value-of select="substring-before(concat(/atom:feed/@xml:lang, '-'), '-')"/></xsl:when>
      <xsl:otherwise>en</xsl:otherwise>
    </xsl:choose>
  </xsl:variable>

  <xsl:template match="/">
    <html lang="{$language}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="robots" content="noindex"/>
        <title><xsl:value-of select="$title"/> (web feed)</title>
        <xsl:if test="$css != ''"><link rel="stylesheet" href="{$css}"/></xsl:if>
      </head>
      <body class="feed-page">
        <header class="masthead">
          <div class="masthead-inner">
            <a class="site-name" href="{$site}"><xsl:value-of select="$title"/></a>
          </div>
        </header>
        <div class="layout">
          <main id="main">
            <p class="kicker">Web feed</p>
            <h1><xsl:value-of select="$title"/></h1>
            <xsl:variable name="about" select="/rss/channel/description | /atom:feed/atom:subtitle"/>
            <xsl:if test="string($about) != ''"><p class="standfirst"><xsl:value-of select="$about"/></p></xsl:if>
            <div class="feed-about">
              <p>This is a web feed. To follow new <xsl:value-of select="$items"/> in a feed reader,
                give it this page's address<xsl:if test="$self != ''">: <code><xsl:value-of select="$self"/></code></xsl:if>.</p>
              <p><a href="{$site}"><xsl:value-of select="$site-link"/></a></p>
            </div>
            <section aria-labelledby="feed-items">
              <h2 id="feed-items" class="section-heading">Latest <xsl:value-of select="$items"/></h2>
              <xsl:apply-templates select="/rss/channel/item | /atom:feed/atom:entry"/>
            </section>
          </main>
        </div>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="item">
    <article class="post-summary">
      <h3 class="post-summary-title"><a href="{link}"><xsl:value-of select="title"/></a></h3>
      <!-- RFC 822: "Wed, 13 Jul 2011 12:00:00 +0000"; the day, month and year. -->
      <xsl:if test="pubDate"><p class="post-summary-meta"><xsl:value-of select="substring(pubDate, 6, 11)"/></p></xsl:if>
      <xsl:if test="description"><p class="post-summary-excerpt"><xsl:call-template name="excerpt"><xsl:with-param name="html" select="description"/></xsl:call-template></p></xsl:if>
    </article>
  </xsl:template>

  <xsl:template match="atom:entry">
    <article class="post-summary">
      <h3 class="post-summary-title"><a href="{atom:link[@rel='alternate' or not(@rel)][1]/@href}"><xsl:value-of select="atom:title"/></a></h3>
      <xsl:variable name="when" select="(atom:published | atom:updated)[1]"/>
      <xsl:if test="$when"><p class="post-summary-meta"><time datetime="{$when}"><xsl:value-of select="substring($when, 1, 10)"/></time></p></xsl:if>
      <xsl:choose>
        <xsl:when test="atom:summary[@type='html']"><p class="post-summary-excerpt"><xsl:call-template name="excerpt"><xsl:with-param name="html" select="atom:summary"/></xsl:call-template></p></xsl:when>
        <xsl:when test="atom:summary"><p class="post-summary-excerpt"><xsl:value-of select="atom:summary"/></p></xsl:when>
      </xsl:choose>
    </article>
  </xsl:template>

  <!-- An RSS <description> or an Atom <summary type="html"> is HTML, escaped once more inside
       the XML: its text as a reader would see it, cut at a word after $excerpt-length
       characters. -->
  <xsl:template name="excerpt">
    <xsl:param name="html"/>
    <xsl:variable name="text">
      <xsl:call-template name="html-text">
        <xsl:with-param name="html" select="substring($html, 1, $excerpt-length)"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:choose>
      <xsl:when test="string-length($html) &gt; $excerpt-length">
        <xsl:variable name="whole-words">
          <xsl:call-template name="before-last-space">
            <xsl:with-param name="text" select="normalize-space($text)"/>
          </xsl:call-template>
        </xsl:variable>
        <xsl:choose>
          <xsl:when test="string($whole-words) != ''"><xsl:value-of select="$whole-words"/></xsl:when>
          <xsl:otherwise><xsl:value-of select="normalize-space($text)"/></xsl:otherwise>
        </xsl:choose>
        <xsl:text>…</xsl:text>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="normalize-space($text)"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- The text of an HTML fragment: tags left out (a space for a paragraph's end or a line
       break, so that words do not run together), entities made characters again. -->
  <xsl:template name="html-text">
    <xsl:param name="html"/>
    <xsl:choose>
      <xsl:when test="contains($html, '&lt;')">
        <xsl:call-template name="unescape">
          <xsl:with-param name="text" select="substring-before($html, '&lt;')"/>
        </xsl:call-template>
        <xsl:variable name="tag" select="substring-before(substring-after($html, '&lt;'), '&gt;')"/>
        <xsl:if test="$tag = '/p' or $tag = 'br' or starts-with($tag, 'br ') or starts-with($tag, 'br/')">
          <xsl:text> </xsl:text>
        </xsl:if>
        <xsl:call-template name="html-text">
          <xsl:with-param name="html" select="substring-after(substring-after($html, '&lt;'), '&gt;')"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="unescape"><xsl:with-param name="text" select="$html"/></xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- The entities Django's escape() and the comment sanitiser write; any other "&" stays. -->
  <xsl:template name="unescape">
    <xsl:param name="text"/>
    <xsl:choose>
      <xsl:when test="contains($text, '&amp;')">
        <xsl:value-of select="substring-before($text, '&amp;')"/>
        <xsl:variable name="rest" select="substring-after($text, '&amp;')"/>
        <xsl:variable name="name" select="substring-before($rest, ';')"/>
        <xsl:choose>
          <xsl:when test="$name = 'amp'">&amp;</xsl:when>
          <xsl:when test="$name = 'lt'">&lt;</xsl:when>
          <xsl:when test="$name = 'gt'">&gt;</xsl:when>
          <xsl:when test="$name = 'quot'">&quot;</xsl:when>
          <xsl:when test="$name = '#x27' or $name = '#39'">'</xsl:when>
          <xsl:when test="$name = 'nbsp'">&#160;</xsl:when>
          <xsl:otherwise>&amp;</xsl:otherwise>
        </xsl:choose>
        <xsl:call-template name="unescape">
          <xsl:with-param name="text">
            <xsl:choose>
              <xsl:when test="$name = 'amp' or $name = 'lt' or $name = 'gt' or $name = 'quot' or $name = '#x27' or $name = '#39' or $name = 'nbsp'">
                <xsl:value-of select="substring-after($rest, ';')"/>
              </xsl:when>
              <xsl:otherwise><xsl:value-of select="$rest"/></xsl:otherwise>
            </xsl:choose>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$text"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- Words of a text but its last: the one a cut may have split. -->
  <xsl:template name="before-last-space">
    <xsl:param name="text"/>
    <xsl:if test="contains($text, ' ')">
      <xsl:value-of select="substring-before($text, ' ')"/>
      <xsl:if test="contains(substring-after($text, ' '), ' ')"><xsl:text> </xsl:text></xsl:if>
      <xsl:call-template name="before-last-space">
        <xsl:with-param name="text" select="substring-after($text, ' ')"/>
      </xsl:call-template>
    </xsl:if>
  </xsl:template>
</xsl:stylesheet>
